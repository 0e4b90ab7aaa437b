import * as assert from 'node:assert/strict';
import { parseFile } from '../../src/core/formats/parse-file';

describe('values cut short in documented configuration', () => {
  // ory/hydra's reference config documents a certificate as base64 cut with "...".
  const cut = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tXG5NSUlEWlRDQ0FrMmdBd0lCQWdJRVY1eE90REFOQmdr';

  it('says nothing of a base64 PEM value ending in an ellipsis', () => {
    for (const ellipsis of ['...', '…']) {
      const r = parseFile('/ws/config/config.yaml', Buffer.from(`tls:\n  cert:\n    base64: ${cut}${ellipsis}\n`));
      assert.deepEqual(r.problems, [], ellipsis);
    }
  });

  it('still reports the same value without the ellipsis', () => {
    const r = parseFile('/ws/config/config.yaml', Buffer.from(`tls:\n  cert:\n    base64: ${cut}\n`));
    assert.ok(r.problems.length > 0, 'a broken value is a problem');
  });
});
