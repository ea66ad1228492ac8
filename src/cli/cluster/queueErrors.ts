// Which connection errors waiting cannot cure. Redis being down or restarting is worth waiting for
// (workers and the submitter reconnect by themselves); a wrong password or a certificate that does
// not verify stays wrong, so the command stops with the reason instead of retrying forever.
export function lastingQueueError(err: Error): string | null {
  const m = err.message;
  if (/WRONGPASS|NOAUTH|invalid username-password|invalid password/i.test(m)) return `the queue refused the password (${m.split('\n')[0]})`;
  if (/certificate|self[- ]signed|unable to verify|ERR_SSL|wrong version number/i.test(m)) return `TLS failed (${m.split('\n')[0]}): check rediss:// vs redis:// and --queue-ca`;
  return null;
}
