// One error type for everything that can go wrong talking to a PACS, worded for the user.
// Messages name the server and what to check; they never contain patient data or credentials.
export class PacsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PacsError';
  }
}

/**
 * The user cancelled a retrieval. Not a PacsError (nothing went wrong with the server) and not an
 * explanation's cancel: the job table (services/engineError.ts isCancellation) reads it as 'cancelled'.
 */
export class RetrievalCancelled extends Error {
  constructor() {
    super('the retrieval was cancelled');
    this.name = 'RetrievalCancelled';
  }
}

/** What a failed fetch means, from undici's error cause codes. */
export function connectionFailure(err: unknown, server: string): PacsError {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (err as NodeJS.ErrnoException)?.code;
  if (/redirect/i.test(cause?.message ?? '')) {
    return new PacsError(`the PACS at ${server} redirected the request elsewhere: enter the final URL (e.g. https:// instead of http://) in the PACS settings`);
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new PacsError(`cannot connect to the PACS at ${server}: connection refused (is the server running, and is the port right?)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new PacsError(`cannot connect to the PACS at ${server}: the host name does not resolve`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new PacsError(`cannot connect to the PACS at ${server}: the network or host is unreachable`);
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return new PacsError(`the PACS at ${server} closed the connection unexpectedly`);
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new PacsError(`the TLS certificate of the PACS at ${server} is not trusted (${code})`);
    default:
      return new PacsError(`cannot reach the PACS at ${server}${code ? ` (${code})` : ''}`);
  }
}

/** A non-success HTTP status, explained. */
export function statusFailure(status: number, what: string, server: string): PacsError {
  if (status === 401)
    return new PacsError(`the PACS at ${server} refused the credentials (401 Unauthorized): check the authorization header in the PACS settings`);
  if (status === 403) return new PacsError(`the PACS at ${server} does not allow this (403 Forbidden) for ${what}`);
  if (status === 400)
    return new PacsError(`${what}: the PACS at ${server} did not understand the request (400 Bad Request; is the URL the DICOMweb root, e.g. .../dicom-web?)`);
  if (status === 404) return new PacsError(`${what}: not found on the PACS at ${server} (404; is the DICOMweb URL right, e.g. .../dicom-web?)`);
  if (status === 413) return new PacsError(`${what}: the PACS at ${server} refused a request that large (413)`);
  if (status >= 500) return new PacsError(`${what}: the PACS at ${server} failed with HTTP ${status} (a server error; see its log)`);
  return new PacsError(`${what}: the PACS at ${server} answered HTTP ${status}`);
}
