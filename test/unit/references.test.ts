import * as assert from 'node:assert/strict';
import type { FileReference } from '../../src/core/model';
import { resolvedInWorkspace } from '../../src/core/scan/pipeline';

const RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
const ref = (file: string, written: string, source?: FileReference['source']): FileReference => ({
  file,
  range: RANGE,
  target: `/ws/resolved/${written}`,
  written,
  ...(source ? { source } : {}),
});

describe('referenced-file-missing: only for paths the workspace must hold', () => {
  it('says nothing of absolute, home, templated and container paths', () => {
    for (const written of [
      '/etc/calico/certs/typha-server.crt',
      '~/.kube/ca.crt',
      'C:\\certs\\ca.pem',
      '{{ cert_dir }}/ca.pem',
      '${CERT_DIR}/ca.pem',
      'classpath:ks.jks',
    ])
      assert.equal(resolvedInWorkspace(ref('/ws/roles/calico/tasks/main.yml', written)), false, written);
    assert.equal(resolvedInWorkspace(ref('/ws/kube/config', '/home/u/.minikube/ca.crt', 'kubeconfig')), false);
  });

  it('says nothing of a bare name or a folder-relative name in YAML and JSON (a Secret key, a name joined to a cert folder)', () => {
    assert.equal(resolvedInWorkspace(ref('/ws/manifests/pg.yaml', 'tls.crt')), false);
    assert.equal(resolvedInWorkspace(ref('/ws/roles/x/defaults/main.yml', 'ca.pem')), false);
    assert.equal(resolvedInWorkspace(ref('/ws/roles/x/tasks/facts.yml', 'etcd/ca.crt')), false);
    assert.equal(resolvedInWorkspace(ref('/ws/conf/app.properties', 'server.p12')), false);
  });

  it('reports explicit relative paths, kubeconfig paths and folder paths in server configs', () => {
    assert.equal(resolvedInWorkspace(ref('/ws/app.env', './missing-ca.pem')), true);
    assert.equal(resolvedInWorkspace(ref('/ws/deploy/values.yaml', '../certs/ca.pem')), true);
    assert.equal(resolvedInWorkspace(ref('/ws/kube/config', 'pipe.pem', 'kubeconfig')), true);
    assert.equal(resolvedInWorkspace(ref('/ws/nginx/nginx.conf', 'certs/gone.pem')), true);
    assert.equal(resolvedInWorkspace({ file: '/ws/a.conf', range: RANGE, target: '/ws/x.pem' }), true, 'no written form: as before');
  });
});
