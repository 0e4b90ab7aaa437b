import * as assert from 'node:assert/strict';
import { configFormat, isTemplateName, mayBeConfigFile } from '../../src/core/formats/configFormats';
import { certificateFileReferences, discoverHosts } from '../../src/core/hosts/discover';
import { isConnectionValue } from '../../src/core/hosts/endpointSettings';
import { isProbeableName, normalizeHost, skipReason } from '../../src/core/hosts/names';
import { positionOf } from './helpers';

/** `source host:port @line:character` of each endpoint found, in file order. */
function found(file: string, text: string): string[] {
  return discoverHosts(file, text).map((r) => `${r.source} ${r.host}:${r.port} @${r.range.start.line}:${r.range.start.character}`);
}

/** The same notation for an expected endpoint at the n-th occurrence of `needle`. */
function at(source: string, hostPort: string, text: string, needle: string, occurrence = 0): string {
  const p = positionOf(text, needle, occurrence);
  return `${source} ${hostPort} @${p.line}:${p.character}`;
}

describe('host discovery: templates and defaults', () => {
  it('reads APT source lines and Ansible key=value module arguments, not prose', () => {
    const defaults = [
      "influxdata__repository: 'deb [signed-by=/etc/apt/keyrings/influxdata.asc] https://repos.influxdata.com/{{ ansible_distribution | lower }} stable main'",
      "nodejs__upstream_repo: 'deb-src https://deb.nodesource.com/node_20.x nodistro main'",
      'notes: see https://docs.acme-corp.net/setup for details',
    ].join('\n');
    assert.deepEqual(
      found('/ws/roles/repo/defaults/main.yml', defaults).map((f) => f.split(' ')[1]),
      ['repos.influxdata.com:443', 'deb.nodesource.com:443'],
    );
    const tasks =
      '- name: key\n  apt_key: url=https://download.owncloud.org/Release.key state=present\n- name: words\n  debug: msg="fetch https://get.acme-corp.net now"\n';
    assert.deepEqual(
      found('/ws/roles/owncloud/tasks/main.yml', tasks).map((f) => f.split(' ')[1]),
      ['download.owncloud.org:443'],
    );
  });

  it('reads templates and defaults in the format under their suffix', () => {
    const nginx = 'server {\n  listen 443 ssl;\n  server_name shop.acme-corp.net;\n}\n';
    const haproxy =
      'frontend fe\n  bind :443 ssl crt /etc/haproxy/site.pem\nbackend be\n  server app1 app1.acme-corp.net:8443 ssl verify required\n';
    assert.equal(configFormat('/ws/roles/web/templates/nginx.conf.j2', nginx), 'nginx');
    assert.equal(configFormat('/ws/templates/haproxy.cfg.j2', haproxy), 'haproxy');
    assert.equal(configFormat('/ws/config/app.yml.default', 'a: 1\n'), 'yaml');
    assert.equal(configFormat('/ws/config/app.yml.dist', 'a: 1\n'), 'yaml');
    assert.equal(configFormat('/ws/config/settings.json.sample', '{}'), 'json');
    assert.equal(configFormat('/ws/config/settings.json.example', '{}'), 'json');
    assert.equal(configFormat('/ws/deploy/values.yaml.tpl', 'a: 1\n'), 'yaml');
    assert.equal(configFormat('/ws/deploy/helmfile.yaml.gotmpl', 'a: 1\n'), 'yaml');
    assert.equal(configFormat('/ws/config/database.yml.erb', 'a: 1\n'), 'yaml');
    assert.equal(configFormat('/ws/etc/app.ini.in', 'a = 1\n'), 'ini');
    assert.equal(configFormat('/ws/etc/ldap.cfg.jinja2', 'ldap_server = ldap.acme-corp.net\n'), 'ini');
    assert.equal(configFormat('/ws/etc/app.toml.tmpl', 'a = 1\n'), 'toml');
    assert.equal(configFormat('/ws/nginx/templates/default.conf.template', nginx), 'nginx');
    // Two suffixes: a default of a template.
    assert.equal(configFormat('/ws/etc/app.yml.j2.default', 'a: 1\n'), 'yaml');
    // No format underneath: a template with no extension below its suffix is read only when its
    // content is a server config (Ansible's templates/vhost.j2); Helm helpers and autoconf inputs are not.
    assert.equal(configFormat('/ws/roles/web/templates/vhost.j2', nginx), 'nginx');
    assert.equal(
      configFormat('/ws/charts/app/templates/_helpers.tpl', '{{- define "app.name" -}}\n{{ .Chart.Name }}\n{{- end }}\n'),
      undefined,
    );
    assert.equal(configFormat('/ws/Makefile.in', 'prefix = @prefix@\nall:\n\tcc -o app app.c\n'), undefined);
    for (const name of ['config.h.in', 'NOTES.txt.j2', '.example', 'README.md.j2'])
      assert.equal(mayBeConfigFile(`/ws/${name}`), false, name);
    // Skipped files stay skipped under a suffix.
    for (const name of ['package.json.j2', 'Chart.yaml.tpl', '.pre-commit-config.yaml.example'])
      assert.equal(mayBeConfigFile(`/ws/${name}`), false, name);
    assert.equal(isTemplateName('/ws/nginx.conf.j2'), true);
    assert.equal(isTemplateName('/ws/nginx.conf'), false);
  });

  it('reads an Ansible nginx.conf.j2 and haproxy.cfg.j2: literal hosts kept, Jinja comments and expressions not read', () => {
    const text = `{# Rendered by Ansible; see https://docs.acme-corp.net/nginx for the layout #}
{% for site in sites %}
server {
    listen 443 ssl;
    server_name {{ site.name }};
}
{% endfor %}
server {
    listen 443 ssl;
    server_name portal.acme-corp.net;
    location / {
        proxy_pass https://{{ backend_host }}:8443;
    }
    location /api/ {
        proxy_pass https://api.acme-corp.net:9443;
    }
}
`;
    assert.deepEqual(found('/ws/roles/web/templates/nginx.conf.j2', text), [
      at('nginx server_name', 'portal.acme-corp.net:443', text, 'portal.acme-corp.net'),
      at('nginx proxy_pass', 'api.acme-corp.net:9443', text, 'api.acme-corp.net:9443'),
    ]);
    const haproxy = `global
  log stdout format raw local0
backend be
  server app1 app1.acme-corp.net:8443 ssl verify required ca-file /etc/ssl/ca.pem
  server app2 {{ app2_host }}:8443 ssl verify required
`;
    assert.deepEqual(found('/ws/roles/lb/templates/haproxy.cfg.j2', haproxy), [
      at('haproxy server', 'app1.acme-corp.net:8443', haproxy, 'app1.acme-corp.net:8443'),
    ]);
    // The paths a template names are on the machine it renders to, not in the workspace.
    assert.deepEqual(certificateFileReferences('/ws/roles/lb/templates/haproxy.cfg.j2', haproxy), []);
    assert.equal(certificateFileReferences('/ws/roles/lb/files/haproxy.cfg', haproxy).length, 1);
  });

  it('reads YAML defaults (*.yml.default) and ERB templates like the YAML they render', () => {
    const text = `production:
  ldap:
    host: ldap.acme-corp.net
    port: 636
    encryption: simple_tls
  api_url: https://api.acme-corp.net/v2
  admin_url: https://<%= ENV['ADMIN_HOST'] %>/admin
`;
    const expected = [
      at('key:host', 'ldap.acme-corp.net:636', text, 'ldap.acme-corp.net'),
      at('url', 'api.acme-corp.net:443', text, 'api.acme-corp.net'),
    ];
    assert.deepEqual(found('/ws/config/gitlab.yml.default', text), expected);
    assert.deepEqual(found('/ws/config/gitlab.yml.erb', text), expected);
  });
});

describe('host discovery: literal hosts in templated URLs', () => {
  it('keeps a URL whose path or query holds template expressions; drops one whose host is an expression', () => {
    const text = `helm_url: "https://get.helm.sh/helm-{{ helm_version }}-linux-amd64.tar.gz"
vault_zip: https://releases.hashicorp.com/vault/\${VAULT_VERSION}/vault_\${VAULT_VERSION}_linux_amd64.zip
chart_index: https://charts.acme-corp.net/{% if stable %}stable{% else %}dev{% endif %}/index.yaml
assets_base: https://assets.acme-corp.net/<%= @release %>/app.js
templated_host: https://{{ inventory_hostname }}:8443/health
templated_sub: https://api.{{ base_domain }}/v1
env_host: https://\${API_HOST}/v1
`;
    assert.deepEqual(found('/ws/roles/tools/defaults/main.yml', text), [
      at('url', 'get.helm.sh:443', text, 'get.helm.sh'),
      at('url', 'releases.hashicorp.com:443', text, 'releases.hashicorp.com'),
      at('url', 'charts.acme-corp.net:443', text, 'charts.acme-corp.net'),
      at('url', 'assets.acme-corp.net:443', text, 'assets.acme-corp.net'),
    ]);
  });

  it('tells a templated connection value from templated prose', () => {
    assert.equal(isConnectionValue('https://get.helm.sh/helm-{{ helm_version }}-linux-amd64.tar.gz'), true);
    assert.equal(isConnectionValue('https://x.acme-corp.net/{% if a %}a{% endif %}/b'), true);
    assert.equal(isConnectionValue('https://x.acme-corp.net/<%= @v %>/b'), true);
    assert.equal(isConnectionValue('See https://x.acme-corp.net/{{ page }} for details'), false);
    assert.equal(isConnectionValue('{{ scheme }} https://x.acme-corp.net'), false);
  });
});

describe('host discovery: which names are hosts (public-suffix list)', () => {
  it('takes a name under a real top-level domain for a host, also where the TLD is a file extension', () => {
    for (const name of [
      'get.helm.sh',
      'raw.githubusercontent.com',
      'api.acme.co.uk',
      'pkg.go.dev',
      'foo.github.io',
      'x.home.arpa',
      'svc.example.zone',
    ])
      assert.equal(isProbeableName(name), true, name);
    // Private-use top-level labels networks use for their own names (RFC 6762 appendix G, Consul).
    for (const name of ['ldap.corp', 'db.internal', 'nas.lan', 'nas.home', 'vault.service.consul'])
      assert.equal(isProbeableName(name), true, name);
    // Not a top-level domain: a file, a key path, an HCL reference, a cluster-internal name.
    for (const name of [
      'values.yaml',
      'app.conf',
      'ca.pem',
      'var.domain',
      'spring.datasource',
      'app.kubernetes',
      'api.ns.svc',
      'kubernetes.default',
      'service.consul',
    ])
      assert.equal(isProbeableName(name), false, name);
    // Two labels under a TLD that is also a file extension: a file, unless a URL names it.
    for (const name of ['deploy.sh', 'setup.py', 'README.md', 'main.tf']) assert.equal(isProbeableName(name), false, name);
    assert.equal(normalizeHost('helm.sh', true), 'helm.sh');
    assert.equal(normalizeHost('helm.sh'), undefined);
    assert.equal(skipReason('helm.sh', true), undefined);
    assert.equal(skipReason('deploy.sh'), 'invalid');
    // Reserved names stay out.
    for (const name of ['api.test', 'x.example', 'a.invalid', 'app.localhost', 'example.com', 'www.example.org', 'x.example.net'])
      assert.equal(skipReason(name), 'reserved', name);
    // AppStream metadata: the project's homepage and screenshots.
    const metainfo =
      '<component><url type="homepage">https://www.acme-corp.net</url><url type="bugtracker">https://git.acme-corp.net/issues</url></component>';
    assert.deepEqual(found('/ws/linux/net.acme.client.metainfo.xml', metainfo), []);
    // VS Code settings: schema associations and GitLens autolinks are no connections; REST Client environments are.
    const vscodeSettings = JSON.stringify({
      'json.schemas': [{ fileMatch: ['*.openapi.json'], url: 'https://raw.githubusercontent.com/OAI/schema.json' }],
      'gitlens.autolinks': [{ prefix: '#', url: 'https://github.com/acme/app/issues/<num>' }],
      'rest-client.environmentVariables': { prod: { baseUrl: 'https://api.acme-corp.net' } },
    });
    assert.deepEqual(
      found('/ws/.vscode/settings.json', vscodeSettings).map((f) => f.split(' ')[1]),
      ['api.acme-corp.net:443'],
    );
    // Documentation's placeholders: my-… and your-… domains.
    for (const name of ['my-consent.app', 'login.my-website.com', 'your-domain.com', 'mydomain.com', 'auth.yourcompany.io'])
      assert.equal(skipReason(name), 'reserved', name);
    for (const name of ['myspace.com', 'mysql.acme-corp.net', 'yourls.org', 'api.my-corp.internal.acme.io'])
      assert.equal(skipReason(name), undefined, name);
  });

  it('finds get.helm.sh and https://helm.sh in URLs, not install.sh under a host key', () => {
    const text = `helm_download: https://get.helm.sh/helm-v3.16.2-linux-amd64.tar.gz
helm_home: https://helm.sh
installer_host: install.sh
installer_tls: true
`;
    assert.deepEqual(found('/ws/group_vars/all.yml', text), [
      at('url', 'get.helm.sh:443', text, 'get.helm.sh'),
      at('url', 'helm.sh:443', text, 'helm.sh', 1),
    ]);
  });
});

describe('host discovery: bare domains under domain, host, server and endpoint keys', () => {
  it('reads bare names with the port the key says: web 443, a named service its TLS port, else 443', () => {
    const text = `base_domain: acme-corp.io
nextcloud_domain: cloud.acme-corp.io
keycloak_hostname: sso.acme-corp.io
ldap_server: ldap.acme-corp.io
smtp_server: smtp.acme-corp.io
imap_host: imap.acme-corp.io
ldap_web_host: ldapadmin.acme-corp.io
api_endpoint: api.acme-corp.io
trusted_domains:
  - files.acme-corp.io
  - share.acme-corp.io
`;
    assert.deepEqual(found('/ws/inventories/prod/group_vars/all.yml', text), [
      at('key:base_domain', 'acme-corp.io:443', text, 'acme-corp.io'),
      at('key:nextcloud_domain', 'cloud.acme-corp.io:443', text, 'cloud.acme-corp.io'),
      at('key:keycloak_hostname', 'sso.acme-corp.io:443', text, 'sso.acme-corp.io'),
      at('key:ldap_server', 'ldap.acme-corp.io:636', text, 'ldap.acme-corp.io'),
      at('key:smtp_server', 'smtp.acme-corp.io:465', text, 'smtp.acme-corp.io'),
      at('key:imap_host', 'imap.acme-corp.io:993', text, 'imap.acme-corp.io'),
      at('key:ldap_web_host', 'ldapadmin.acme-corp.io:443', text, 'ldapadmin.acme-corp.io'),
      at('key:api_endpoint', 'api.acme-corp.io:443', text, 'api.acme-corp.io'),
      at('key:trusted_domains', 'files.acme-corp.io:443', text, 'files.acme-corp.io'),
      at('key:trusted_domains', 'share.acme-corp.io:443', text, 'share.acme-corp.io'),
    ]);
  });

  it("leaves a machine's own name: cloud-init hostname/fqdn, a compose service's hostname, a pod's spec.hostname", () => {
    assert.deepEqual(found('/ws/cloud-init/user-data.yaml', 'hostname: web1.acme-corp.io\nfqdn: web1.acme-corp.io\n'), []);
    const compose = `services:
  app:
    hostname: app.acme-corp.io
    domainname: acme-corp.io
    environment:
      PUBLIC_HOSTNAME: shop.acme-corp.io
`;
    assert.deepEqual(found('/ws/docker-compose.yml', compose), [
      at('key:PUBLIC_HOSTNAME', 'shop.acme-corp.io:443', compose, 'shop.acme-corp.io'),
    ]);
    const pod = 'apiVersion: v1\nkind: Pod\nspec:\n  hostname: db-0.acme-corp.io\n';
    assert.deepEqual(found('/ws/k8s/pod.yaml', pod), []);
  });

  it('reads ldap_server in a .cfg read as key/value config', () => {
    const text = `[auth]
ldap_server = ldap.acme-corp.io
ldap_base = dc=acme-corp,dc=io
`;
    assert.deepEqual(found('/ws/etc/portal.cfg', text), [at('key:ldap_server', 'ldap.acme-corp.io:636', text, 'ldap.acme-corp.io')]);
  });

  it('leaves bare names of plain services, with a plain port, with TLS off, addresses and non-domain keys', () => {
    const text = `db_host: db.acme-corp.io
redis_host: cache.acme-corp.io
ntp_servers:
  - 0.pool.ntp.org
dns_search_domain: acme-corp.io
mail_domain: acme-corp.io
ansible_host: web1.acme-corp.io
listen_host: app.acme-corp.io
metrics_host: metrics.acme-corp.io
metrics_port: 9100
directory_server: dir.acme-corp.io
directory_use_ssl: false
gateway_host: 10.20.0.5
registry_url: registry.acme-corp.io
proxy_host: proxy.acme-corp.io
notHosts:
  - legacy.acme-corp.io
excluded_domains: [old.acme-corp.io]
session:
  cookies:
    - domain: acme-corp.io
log_server: logs.acme-corp.io
advertised_host_name: kafka1.acme-corp.io
`;
    assert.deepEqual(found('/ws/group_vars/all.yml', text), []);
  });
});

describe('host discovery: not hosts', () => {
  it('never reads an HCL reference as a host: var., local., module., data., each., self., resource attributes', () => {
    const text = `resource "helm_release" "app" {
  host     = var.domain
  endpoint = module.db.fqdn
  server   = data.aws_lb.main.dns_name
  ssl      = true
  hosts    = [local.fqdn, "www.acme-corp.net", each.value]
  backend  = { host = self.private_dns, tls = true }
}
provider "vault" {
  address = "https://vault.acme-corp.net:8200"
}
resource "dns" "x" {
  server = "ns.acme-corp.net"
  tls    = true
}
`;
    assert.deepEqual(found('/ws/terraform/main.tf', text), [
      at('key:hosts', 'www.acme-corp.net:443', text, 'www.acme-corp.net'),
      at('url', 'vault.acme-corp.net:8200', text, 'vault.acme-corp.net'),
      at('key:server', 'ns.acme-corp.net:443', text, 'ns.acme-corp.net'),
    ]);
  });

  it('never reads OAuth scopes as endpoints: scope keys, Google auth scopes, .default scopes', () => {
    const yaml = `oauth:
  client_id: shop
  token_url: https://login.acme-corp.net/oauth2/token
  scopes:
    - https://www.googleapis.com/auth/cloud-platform
    - https://www.googleapis.com/auth/userinfo.email
  scope: https://graph.acme-corp.net/.default
`;
    assert.deepEqual(found('/ws/config/app.yaml', yaml), [at('url', 'login.acme-corp.net:443', yaml, 'login.acme-corp.net')]);
    const env = `GOOGLE_AUTH=https://www.googleapis.com/auth/drive.readonly
AZURE_RESOURCE=https://management.azure.com/.default
API_URL=https://api.acme-corp.net
`;
    assert.deepEqual(found('/ws/.env', env), [at('url', 'api.acme-corp.net:443', env, 'api.acme-corp.net')]);
  });

  it('never reads XML namespaces, schema locations or JSON Schema ids as endpoints', () => {
    const xml = `<?xml version="1.0"?>
<beans xmlns="https://www.springframework.org/schema/beans" xmlns:xsi="https://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="https://www.springframework.org/schema/beans https://www.springframework.org/schema/beans/spring-beans.xsd">
  <bean id="api"><property name="url" value="https://api.acme-corp.net/v1"/></bean>
</beans>
`;
    assert.deepEqual(found('/ws/conf/beans.xml', xml), [at('url', 'api.acme-corp.net:443', xml, 'api.acme-corp.net')]);
    const json = `{"$schema": "https://schemas.acme-corp.net/app.json", "$id": "https://schemas.acme-corp.net/app", "api": {"url": "https://api.acme-corp.net"}}`;
    assert.deepEqual(found('/ws/conf/app.json', json), [at('url', 'api.acme-corp.net:443', json, 'api.acme-corp.net')]);
  });

  it('never reads linter, editor and repository-metadata files', () => {
    const yaml = `api:\n  url: https://api.acme-corp.net\nlinks:\n  server: https://tools.acme-corp.net:8443\n`;
    for (const name of [
      '.rubocop.yml',
      '.rubocop_todo.yml',
      '.eslintrc.yml',
      '.eslintrc.yaml',
      '.markdownlint.yaml',
      '.markdownlint-cli2.yaml',
      '.golangci.yml',
      '.yamllint.yml',
      '.pre-commit-config.yaml',
      '.goreleaser.yaml',
      '.goreleaser_ui_gtk3.yaml',
      'SECURITY-INSIGHTS.yml',
      'security-insights.yaml',
      'catalog-info.yaml',
      'publiccode.yml',
      'action.yml',
      'mkdocs.yml',
      'Chart.yaml',
    ])
      assert.deepEqual(found(`/ws/${name}`, yaml), [], name);
    const json = `{"api": {"url": "https://api.acme-corp.net"}}`;
    for (const name of [
      '.eslintrc.json',
      '.markdownlint.json',
      'renovate.json',
      '.all-contributorsrc.json',
      '.zenodo.json',
      'package.json',
      'cspell.json',
    ])
      assert.deepEqual(found(`/ws/${name}`, json), [], name);
    const ini = `[tool]\nserver = https://tools.acme-corp.net:8443\n`;
    for (const name of ['tox.ini', '.editorconfig', '.bumpversion.cfg', '.isort.cfg', 'setup.cfg'])
      assert.deepEqual(found(`/ws/${name}`, ini), [], name);
    assert.deepEqual(found('/ws/.github/dependabot.yml', yaml), []);
    assert.deepEqual(found('/ws/.gitlab-ci/terraform.yml', yaml), []);
    // Funding manifests, a docs site's settings, OLM bundle metadata and JetBrains settings (VS Code's may hold REST Client environments: read).
    for (const name of ['funding.json', 'package.oc.json', '.idea/deployment.json']) assert.deepEqual(found(`/ws/${name}`, json), [], name);
    for (const name of [
      'README.yaml',
      '.qodana/qodana.sarif.json',
      'config/tech-docs.yml',
      'installers/olm/bundle.annotations.yaml',
      'installers/olm/bundle.csv.yaml',
      'manifests/psmdb.clusterserviceversion.yaml',
    ])
      assert.deepEqual(found(`/ws/${name}`, yaml), [], name);
    // The same content in a config file is read.
    assert.equal(found('/ws/config/app.yml', yaml).length, 2);
  });
});
