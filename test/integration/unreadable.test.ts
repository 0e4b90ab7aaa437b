// A folder the editor's scan cannot list is reported (the log, the scan summary, the report), never
// skipped silently. Root reads any folder whatever its mode, so the folder here is a symbolic link
// that points at itself (ELOOP), which nobody can follow.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeCert, makeKey } from '../support/certs';
import { api, workspaceUri, writeWorkspaceFile } from './helpers';

describe('CertLens reports folders it cannot read', function () {
  this.timeout(120_000);
  const dir = 'unreadable-folders';

  after(async () => {
    fs.rmSync(workspaceUri(dir).fsPath, { recursive: true, force: true });
    const a = await api();
    await a.settled();
    await a.scan();
  });

  it('lists a link loop in the report after a full scan, and no longer once it is gone', async () => {
    const readable = writeWorkspaceFile(
      path.posix.join(dir, 'ok.pem'),
      makeCert({ cn: 'ok.unreadable.acme-corp.net', key: makeKey({ type: 'ec' }), notBefore: daysFromNow(-1), notAfter: daysFromNow(300) })
        .pem,
    );
    const loop = workspaceUri(path.posix.join(dir, 'loop')).fsPath;
    fs.symlinkSync('loop', loop);
    const a = await api();
    await a.settled();
    await a.scan();
    const report = a.report();
    assert.ok(
      report.certificates.some((c) => c.file === readable.fsPath),
      'the rest is read',
    );
    const entry = report.unreadableFolders.find((u) => u.path === loop);
    assert.ok(entry, JSON.stringify(report.unreadableFolders));
    assert.match(entry.error, /^ELOOP: /);
    fs.rmSync(loop);
    await a.settled();
    await a.scan();
    assert.deepEqual(
      a.report().unreadableFolders.filter((u) => u.path.startsWith(path.dirname(loop))),
      [],
    );
  });
});
