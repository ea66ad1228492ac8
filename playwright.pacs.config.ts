// The PACS panel end to end (browser -> local server -> engine -> a real Orthanc). Run by
// `npm run test:pacs` inside a private network namespace, like the other PACS tests.
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

export default defineConfig({ ...base, testDir: 'test/pacs', testMatch: '**/*.spec.ts' });
