// dcmjs ships no type declarations; the engine uses a small part of it through typed wrappers.
declare module 'dcmjs';
