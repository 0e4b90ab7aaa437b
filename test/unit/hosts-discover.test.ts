import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { certificateFileReferences, discoverHosts, groupTargets, type HostReference, probeTargetFor } from '../../src/core/hosts/discover';
import { isConnectionValue } from '../../src/core/hosts/endpointSettings';
import type { Range } from '../../src/core/model';
import { positionOf } from './helpers';

/** Range of the n-th occurrence of `needle` (on one line). */
function at(text: string, needle: string, occurrence = 0): Range {
  const start = positionOf(text, needle, occurrence);
  return { start, end: { line: start.line, character: start.character + needle.length } };
}

type Expected = [source: string, host: string, port: number, needle: string, occurrence?: number];

function check(file: string, text: string, expected: Expected[]): HostReference[] {
  const refs = discoverHosts(file, text);
  const actual = refs.map((r) => ({ source: r.source, host: r.host, port: r.port, range: r.range }));
  const wanted = expected.map(([source, host, port, needle, occurrence]) => ({ source, host, port, range: at(text, needle, occurrence) }));
  assert.deepEqual(actual, wanted);
  for (const r of refs) assert.equal(r.file, file);
  return refs;
}

describe('host discovery', () => {
  it('reads nginx: TLS server blocks, proxy_pass, upstream host:port; skips plain-HTTP blocks and wildcards', () => {
    const text = `# see https://nginx.org/en/docs/http/configuring_https_servers.html
upstream backend {
    server app1.internal.acme-retail.com:8443;
    server app2.internal.acme-retail.com:8080;
}
server {
    listen 80;
    server_name shop.acme-retail.com;
    return 301 https://$host$request_uri;
}
server {
    listen 443 ssl http2;
    listen [::]:443 ssl;
    server_name shop.acme-retail.com www.acme-retail.com *.acme-retail.com _ localhost;
    ssl_certificate     /etc/nginx/certs/shop.crt;
    ssl_certificate_key /etc/nginx/certs/shop.key;
    ssl_trusted_certificate certs/chain.pem;
    location /api/ {
        proxy_pass https://api.acme-retail.com:9443/v1/;
    }
    location /legacy/ {
        proxy_pass http://legacy.acme-retail.com;
    }
}
server {
    listen 8443 ssl;
    server_name "admin.acme-retail.com";
}
`;
    check('/ws/nginx/conf.d/shop.conf', text, [
      ['host:port', 'app1.internal.acme-retail.com', 8443, 'app1.internal.acme-retail.com:8443'],
      ['nginx server_name', 'shop.acme-retail.com', 443, 'shop.acme-retail.com', 1],
      ['nginx server_name', 'www.acme-retail.com', 443, 'www.acme-retail.com'],
      ['nginx proxy_pass', 'api.acme-retail.com', 9443, 'api.acme-retail.com:9443'],
      ['nginx server_name', 'admin.acme-retail.com', 8443, 'admin.acme-retail.com'],
    ]);
    assert.deepEqual(
      certificateFileReferences('/ws/nginx/conf.d/shop.conf', text).map((r) => ({ path: r.target, key: r.key, range: r.range })),
      [
        { path: '/etc/nginx/certs/shop.crt', key: 'ssl_certificate', range: at(text, '/etc/nginx/certs/shop.crt') },
        { path: '/ws/nginx/conf.d/certs/chain.pem', key: 'ssl_trusted_certificate', range: at(text, 'certs/chain.pem') },
      ],
    );
  });

  it('reads docker-compose environment lists and maps, pairing DB_HOST with DB_PORT and DB_SSLMODE', () => {
    const text = `services:
  web:
    image: nginx:1.27
    ports:
      - "443:443"
    environment:
      - API_URL=https://api.acme-retail.com/v2
      - DB_HOST=db.acme-retail.com
      - DB_PORT=5432
      - DB_SSLMODE=require
      - CACHE_HOST=cache.acme-retail.com
      - CACHE_PORT=6379
  worker:
    environment:
      PAYMENTS_ENDPOINT: "payments.acme-pay.net:8443"
      SMTP_HOST: smtp.acme-mail.com
      SMTP_PORT: 465
      HOOK_URL: https://\${HOOK_HOST}/hook
      UPSTREAM: "{{ .Values.upstream }}:443"
`;
    check('/ws/docker-compose.yml', text, [
      ['url', 'api.acme-retail.com', 443, 'api.acme-retail.com'],
      ['key:DB_HOST', 'db.acme-retail.com', 5432, 'db.acme-retail.com'],
      ['key:PAYMENTS_ENDPOINT', 'payments.acme-pay.net', 8443, 'payments.acme-pay.net:8443'],
      ['key:SMTP_HOST', 'smtp.acme-mail.com', 465, 'smtp.acme-mail.com'],
    ]);
  });

  it('reads Kubernetes Ingress tls hosts and rule hosts, block and compact lists, across documents', () => {
    const text = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
spec:
  tls:
    - hosts:
        - shop.acme-retail.com
        - "*.shop.acme-retail.com"
      secretName: shop-tls
  rules:
    - host: shop.acme-retail.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: shop
                port:
                  number: 80
---
apiVersion: v1
kind: Service
metadata:
  name: external
spec:
  externalName: ext.acme-retail.com
---
kind: Ingress
spec:
  tls:
  - hosts:
    - api.acme-retail.com
  rules:
  - host: 'api.acme-retail.com'
`;
    const refs = check('/ws/k8s/ingress.yaml', text, [
      ['ingress', 'shop.acme-retail.com', 443, 'shop.acme-retail.com', 0],
      ['ingress', 'shop.acme-retail.com', 443, 'shop.acme-retail.com', 2],
      ['ingress', 'api.acme-retail.com', 443, 'api.acme-retail.com', 0],
      ['ingress', 'api.acme-retail.com', 443, 'api.acme-retail.com', 1],
    ]);
    const targets = groupTargets(refs);
    assert.deepEqual(
      targets.map((t) => [t.key, t.references.length]),
      [
        ['api.acme-retail.com:443', 2],
        ['shop.acme-retail.com:443', 2],
      ],
    );
  });

  it('reads Spring application.properties: JDBC URLs with TLS parameters, host + port + ssl keys', () => {
    const text = `spring.datasource.url=jdbc:postgresql://pg.acme-retail.com:5432/shop?sslmode=verify-full
spring.datasource.username=shop
spring.rabbitmq.host=mq.acme-retail.com
spring.rabbitmq.port=5671
spring.rabbitmq.ssl.enabled=true
spring.redis.host=redis.acme-retail.com
spring.redis.port=6379
spring.ldap.urls=ldaps://ldap.acme-retail.com
eureka.client.serviceUrl.defaultZone=http://eureka.acme-retail.com:8761/eureka/
server.port=8443
server.ssl.enabled=true
server.address=0.0.0.0
app.partner.endpoint=\${PARTNER_ENDPOINT:partner.acme-retail.com}
# app.old.url=https://old.acme-retail.com
`;
    const refs = check('/ws/src/main/resources/application.properties', text, [
      ['url', 'pg.acme-retail.com', 5432, 'pg.acme-retail.com:5432'],
      ['key:host', 'mq.acme-retail.com', 5671, 'mq.acme-retail.com'],
      ['url', 'ldap.acme-retail.com', 636, 'ldap.acme-retail.com'],
    ]);
    assert.equal(refs[0].scheme, 'postgresql');
    assert.equal(groupTargets(refs).find((t) => t.port === 5432)?.starttls, 'postgres');
  });

  it('takes SQL Server JDBC URLs with encrypt=strict (TLS first, TDS 8), not encrypt=true (TLS inside TDS)', () => {
    const text = `billing.datasource.url=jdbc:sqlserver://billing-sql.acme-corp.net:1433;databaseName=billing;encrypt=strict
legacy.datasource.url=jdbc:sqlserver://legacy-sql.acme-corp.net:1433;databaseName=old;encrypt=true
`;
    check('/ws/src/main/resources/application.properties', text, [
      ['url', 'billing-sql.acme-corp.net', 1433, 'billing-sql.acme-corp.net:1433'],
    ]);
  });

  it('reads Spring application.yml: MySQL useSSL, Kafka bootstrap servers with security.protocol, Redis ssl.enabled', () => {
    const text = `spring:
  datasource:
    url: jdbc:mysql://mysql.acme-retail.com:3306/shop?useSSL=true&requireSSL=true
  kafka:
    bootstrap-servers: kafka1.acme-retail.com:9093,kafka2.acme-retail.com:9093
    security:
      protocol: SSL
  data:
    redis:
      host: redis.acme-retail.com  # primary
      port: 6380
      ssl:
        enabled: true
`;
    check('/ws/src/main/resources/application.yml', text, [
      ['url', 'mysql.acme-retail.com', 3306, 'mysql.acme-retail.com:3306'],
      ['key:bootstrap-servers', 'kafka1.acme-retail.com', 9093, 'kafka1.acme-retail.com:9093'],
      ['key:bootstrap-servers', 'kafka2.acme-retail.com', 9093, 'kafka2.acme-retail.com:9093'],
      ['key:host', 'redis.acme-retail.com', 6380, 'redis.acme-retail.com'],
    ]);
  });

  it('reads .env files: quoted values, export, rediss://, LDAP host + TLS port; skips local, reserved and plain', () => {
    const text = `# Production settings, see https://docs.acme-retail.com/setup
API_BASE_URL=https://api.acme-retail.com
AUTH_ISSUER="https://login.acme-id.com/realms/shop"
LDAP_HOST=ldap.acme-retail.com
LDAP_PORT=636
SMTP_HOST=mail.acme-retail.com
SMTP_PORT=25
REDIS_URL=rediss://:secret@cache.acme-retail.com:6380/0
LOCAL_API=https://localhost:8443
DOCS=https://docs.example.com
TEST=https://shop.test
DB_URL=postgres://user:pw@db.acme-retail.com/shop
export METRICS_ENDPOINT=metrics.acme-retail.com:8443 # scraped
`;
    check('/ws/.env.production', text, [
      ['url', 'api.acme-retail.com', 443, 'api.acme-retail.com'],
      ['url', 'login.acme-id.com', 443, 'login.acme-id.com'],
      ['key:LDAP_HOST', 'ldap.acme-retail.com', 636, 'ldap.acme-retail.com'],
      ['url', 'cache.acme-retail.com', 6380, 'cache.acme-retail.com:6380'],
      ['key:METRICS_ENDPOINT', 'metrics.acme-retail.com', 8443, 'metrics.acme-retail.com:8443'],
    ]);
  });

  it('reads Terraform: provider URLs, module host + port + ssl_mode, host:port in locals; skips interpolation and module sources', () => {
    const text = `variable "region" {
  default = "eu-west-1"
}

provider "vault" {
  address = "https://vault.acme-retail.com:8200"
}

module "db" {
  source   = "git::https://github.com/acme/terraform-db.git?ref=v1.2.0"
  host     = "db.acme-retail.com"
  port     = 5432
  ssl_mode = "require"
}

locals {
  endpoint = "\${var.name}.acme-retail.com"
  api      = "api.acme-retail.com:6443" // kube API
  /* old = "https://old.acme-retail.com" */
}
`;
    check('/ws/infra/main.tf', text, [
      ['url', 'vault.acme-retail.com', 8200, 'vault.acme-retail.com:8200'],
      ['key:host', 'db.acme-retail.com', 5432, 'db.acme-retail.com'],
      ['host:port', 'api.acme-retail.com', 6443, 'api.acme-retail.com:6443'],
    ]);
  });

  it('reads Helm values: ingress.tls hosts, externalDatabase with tls.enabled; skips templated values', () => {
    const text = `replicaCount: 2
image:
  repository: registry.acme-retail.com/shop
ingress:
  enabled: true
  hosts:
    - host: chart.acme-retail.com
      paths: ["/"]
  tls:
    - secretName: chart-tls
      hosts: [chart.acme-retail.com, "alt.acme-retail.com"]
externalDatabase:
  host: pg.acme-retail.com
  port: 5432
  tls:
    enabled: true
oidc:
  issuerUrl: "https://{{ .Values.global.domain }}/auth"
`;
    check('/ws/charts/shop/values.yaml', text, [
      // A bare name under a host key is read without a TLS hint (HTTPS, 443).
      ['key:host', 'chart.acme-retail.com', 443, 'chart.acme-retail.com', 0],
      ['key:hosts', 'chart.acme-retail.com', 443, 'chart.acme-retail.com', 1],
      ['key:hosts', 'alt.acme-retail.com', 443, 'alt.acme-retail.com'],
      ['key:host', 'pg.acme-retail.com', 5432, 'pg.acme-retail.com'],
    ]);
  });

  it('reads Apache: ServerName/ServerAlias of TLS virtual hosts, certificate file directives', () => {
    const text = `<VirtualHost *:80>
    ServerName plain.acme-retail.com
    Redirect permanent / https://www.acme-retail.com/
</VirtualHost>
<IfModule mod_ssl.c>
<VirtualHost *:443>
    ServerName www.acme-retail.com
    ServerAlias acme-retail.com static.acme-retail.com *.cdn.acme-retail.com
    SSLEngine on
    SSLCertificateFile "/etc/ssl/certs/www.pem"
    SSLCertificateKeyFile /etc/ssl/private/www.key
    SSLCertificateChainFile conf/chain.crt
    SSLProxyEngine on
    ProxyPass /api https://backend.acme-retail.com:8443/
</VirtualHost>
<VirtualHost 10.0.0.5:8443>
    SSLEngine on
    ServerName admin.acme-retail.com:8443
</VirtualHost>
</IfModule>
`;
    const file = '/ws/apache2/sites-available/shop.conf';
    check(file, text, [
      ['url', 'www.acme-retail.com', 443, 'www.acme-retail.com', 0],
      ['apache ServerName', 'www.acme-retail.com', 443, 'www.acme-retail.com', 1],
      ['apache ServerAlias', 'acme-retail.com', 443, 'acme-retail.com', 3],
      ['apache ServerAlias', 'static.acme-retail.com', 443, 'static.acme-retail.com'],
      ['url', 'backend.acme-retail.com', 8443, 'backend.acme-retail.com:8443'],
      ['apache ServerName', 'admin.acme-retail.com', 8443, 'admin.acme-retail.com:8443'],
    ]);
    assert.deepEqual(
      certificateFileReferences(file, text).map((r) => [r.key, r.target]),
      [
        ['SSLCertificateFile', '/etc/ssl/certs/www.pem'],
        ['SSLCertificateChainFile', '/ws/apache2/sites-available/conf/chain.crt'],
      ],
    );
  });

  it('reads HAProxy: server lines with ssl (or default-server ssl), crt and ca-file paths', () => {
    const text = `global
    log /dev/log local0
defaults
    mode http
    timeout connect 5s
frontend fe_https
    bind *:443 ssl crt /etc/haproxy/certs/site.pem alpn h2,http/1.1
    default_backend be_api
backend be_api
    server api1 api1.acme-retail.com:8443 check ssl verify required ca-file /etc/haproxy/ca.crt
    server api2 10.20.0.12:443 ssl verify none
    server api3 api3.acme-retail.com:8080 check
backend be_secure
    default-server ssl verify required
    server s1 secure1.acme-retail.com
`;
    check('/ws/haproxy/haproxy.cfg', text, [
      ['haproxy server', 'api1.acme-retail.com', 8443, 'api1.acme-retail.com:8443'],
      ['haproxy server', '10.20.0.12', 443, '10.20.0.12:443'],
      ['haproxy server', 'secure1.acme-retail.com', 443, 'secure1.acme-retail.com'],
    ]);
    assert.deepEqual(
      certificateFileReferences('/ws/haproxy/haproxy.cfg', text).map((r) => [r.key, r.target, r.range]),
      [
        ['crt', '/etc/haproxy/certs/site.pem', at(text, '/etc/haproxy/certs/site.pem')],
        ['ca-file', '/etc/haproxy/ca.crt', at(text, '/etc/haproxy/ca.crt')],
      ],
    );
  });

  it('reads Caddyfile site addresses; skips http://, bare ports, placeholders and the global block', () => {
    const text = `{
    email ops@acme-retail.com
}

shop.acme-retail.com, www.shop.acme-retail.com {
    reverse_proxy https://backend.acme-retail.com:9443
}

http://plain.acme-retail.com {
    respond "hi"
}

api.acme-retail.com:8443 {
    reverse_proxy localhost:3000
}

:2015 {
    file_server
}

{$SITE_ADDRESS} {
    respond "x"
}
`;
    check('/ws/Caddyfile', text, [
      ['caddy site', 'shop.acme-retail.com', 443, 'shop.acme-retail.com'],
      ['caddy site', 'www.shop.acme-retail.com', 443, 'www.shop.acme-retail.com'],
      ['url', 'backend.acme-retail.com', 9443, 'backend.acme-retail.com:9443'],
      ['caddy site', 'api.acme-retail.com', 8443, 'api.acme-retail.com:8443'],
    ]);
    check('/ws/single/Caddyfile', 'solo.acme-retail.com\n\nrespond "hello"\n', [
      ['caddy site', 'solo.acme-retail.com', 443, 'solo.acme-retail.com'],
    ]);
  });

  it('reads .http request lines and {{host}} variables; skips comments and plain http', () => {
    const text = `@host = api.acme-retail.com
@token = abc

### list orders
GET https://{{host}}/orders
Authorization: Bearer {{token}}

### health
GET https://status.acme-retail.com:8443/health HTTP/1.1

# GET https://commented.acme-retail.com/
POST http://plain.acme-retail.com/echo
`;
    check('/ws/api/orders.http', text, [
      ['http variable', 'api.acme-retail.com', 443, 'api.acme-retail.com'],
      ['http request', 'status.acme-retail.com', 8443, 'status.acme-retail.com:8443'],
    ]);
    // HAProxy's errorfile: a saved response, the page the proxy serves (fedora-infra/ansible's 503.http).
    const errorfile =
      'HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n' +
      '<html><body><p>See <a href="https://status.acme-retail.com/">our status page</a>.</p>\n' +
      '<p>GET https://api.acme-retail.com/orders</p></body></html>\n';
    assert.deepEqual(discoverHosts('/ws/roles/haproxy/files/503.http', errorfile), []);
    assert.equal(
      discoverHosts('/ws/api/orders.http', 'GET https://api.acme-retail.com/orders HTTP/1.1\n').length,
      1,
      'a request file is read',
    );
  });

  it('reads JSON with comments: URLs, Host/Port/UseSsl objects, Address host:port; skips $schema', () => {
    const text = `{
  "$schema": "https://json.schemastore.org/appsettings.json",
  "Logging": { "LogLevel": { "Default": "Information" } },
  // https://commented.acme-retail.com
  "Services": {
    "Payments": { "BaseUrl": "https://pay.acme-pay.net/api", "TimeoutSeconds": 30 },
    "Ldap": { "Host": "ldap.acme-retail.com", "Port": 636, "UseSsl": true },
    "Smtp": { "Server": "smtp.acme-mail.com", "Port": 587, "EnableSsl": true },
    "Grpc": { "Address": "grpc.acme-retail.com:443" },
    "Cache": { "Host": "cache.acme-retail.com", "Port": 6379 }
  },
  "AllowedHosts": "*"
}
`;
    check('/ws/appsettings.json', text, [
      ['url', 'pay.acme-pay.net', 443, 'pay.acme-pay.net'],
      ['key:Host', 'ldap.acme-retail.com', 636, 'ldap.acme-retail.com'],
      ['key:Server', 'smtp.acme-mail.com', 587, 'smtp.acme-mail.com'],
      ['key:Address', 'grpc.acme-retail.com', 443, 'grpc.acme-retail.com:443'],
    ]);
  });

  it('reads XML (Spring beans, .NET appSettings), TOML and INI', () => {
    const xml = `<?xml version="1.0"?>
<beans xmlns="http://www.springframework.org/schema/beans" xmlns:xsi="https://www.w3.org/2001/XMLSchema-instance">
  <!-- <property name="url" value="https://commented.acme-retail.com"/> -->
  <bean id="ldap" class="org.springframework.ldap.core.support.LdapContextSource">
    <property name="url" value="ldaps://ldap.acme-retail.com:636"/>
  </bean>
  <appSettings>
    <add key="SmtpHost" value="smtp.acme-mail.com"/>
    <add key="SmtpSslPort" value="465"/>
  </appSettings>
  <endpoint>https://soap.acme-retail.com/ws</endpoint>
</beans>
`;
    check('/ws/web.config', xml, [
      ['url', 'ldap.acme-retail.com', 636, 'ldap.acme-retail.com:636'],
      ['key:SmtpHost', 'smtp.acme-mail.com', 465, 'smtp.acme-mail.com'],
      ['url', 'soap.acme-retail.com', 443, 'soap.acme-retail.com'],
    ]);
    const toml = `[database]
host = "db.acme-retail.com"
port = 5432
sslmode = "verify-full"

[upstream]
servers = ["a.acme-retail.com:8443", "b.acme-retail.com:8443"]
mqtt = { host = "mqtt.acme-retail.com", port = 8883 }
`;
    check('/ws/config.toml', toml, [
      ['key:host', 'db.acme-retail.com', 5432, 'db.acme-retail.com'],
      ['key:servers', 'a.acme-retail.com', 8443, 'a.acme-retail.com:8443'],
      ['key:servers', 'b.acme-retail.com', 8443, 'b.acme-retail.com:8443'],
      ['key:host', 'mqtt.acme-retail.com', 8883, 'mqtt.acme-retail.com'],
    ]);
    const ini = `[ldap]
server = ldap.acme-retail.com
use_ssl = yes
; server = old.acme-retail.com

[smtp]
host = smtp.acme-mail.com
port = 25
`;
    check('/ws/app.ini', ini, [['key:server', 'ldap.acme-retail.com', 636, 'ldap.acme-retail.com']]);
  });

  it('skips placeholders, wildcards, loopback, unspecified, reserved and invalid names, and ignored hosts', () => {
    const skipped = [
      'https://${API_HOST}/v1',
      'https://{{ .Values.host }}/',
      'https://%(host)s/',
      'https://$HOST/',
      'https://<host>/',
      'https://*.acme-retail.com/',
      'https://localhost:8443/',
      'https://127.0.0.1/',
      'https://[::1]:8443/',
      'https://0.0.0.0/',
      'https://example.com/',
      'https://api.example.org/',
      'https://svc.test/',
      'https://svc.invalid/',
      'https://printer.local/',
      'https://app.localhost/',
      'https://bad_host.acme-retail.com/',
      'https://-bad.acme-retail.com/',
      'https://api.svc/',
      'https://internal.acme-retail.com/',
      'https://x.skip.acme-retail.com:8443/',
      'https://kubernetes.default',
      'https://kubernetes.default.svc:443/',
      'https://kubernetes.default.svc.cluster.local/',
      'https://authenticate.localhost.pomerium.io:8443/',
      'https://localhost.acme-retail.com/',
      'https://restapi.localho.st/',
      'https://app.lvh.me/',
      'https://localtest.me/',
    ];
    // Only a whole `localhost` label or a loopback domain: these are names someone runs.
    const named = [
      'https://localhosts.acme-retail.com/',
      'https://mylocalhost.acme-retail.com/',
      'https://notlocalho.st/',
      'https://lvh.me.acme-retail.com/',
    ];
    const kept = ['https://10.1.2.3:8443/', 'https://[2001:db8::10]:9443/', 'https://keep.acme-retail.com/'];
    const text = 'endpoints:\n' + [...skipped, ...kept, ...named].map((u) => `  - ${u}\n`).join('');
    const refs = discoverHosts('/ws/endpoints.yaml', text, { ignore: ['internal.acme-retail.com', '*.skip.acme-retail.com:8443'] });
    assert.deepEqual(
      refs.map((r) => `${r.host} ${r.port} ${r.source}`),
      [
        '10.1.2.3 8443 url',
        '2001:db8::10 9443 url',
        'keep.acme-retail.com 443 url',
        'localhosts.acme-retail.com 443 url',
        'mylocalhost.acme-retail.com 443 url',
        'notlocalho.st 443 url',
        'lvh.me.acme-retail.com 443 url',
      ],
    );
    assert.deepEqual(refs[1].range, at(text, '[2001:db8::10]:9443'));
  });

  it('reads only config formats: source code, Markdown, lock files and package.json are not endpoints', () => {
    const text = 'const url = "https://api.acme-retail.com";\n';
    for (const file of [
      '/ws/src/app.ts',
      '/ws/README.md',
      '/ws/package.json',
      '/ws/package-lock.json',
      '/ws/Cargo.toml',
      '/ws/yarn.lock',
    ]) {
      assert.deepEqual(discoverHosts(file, text), [], file);
    }
    const pkg =
      '{ "homepage": "https://acme-retail.com", "repository": { "url": "https://github.com/acme/shop" }, "$vocabulary": { "https://json-schema.acme-retail.com/core": true }, "config": { "api": "https://api.acme-retail.com" } }';
    assert.deepEqual(
      discoverHosts('/ws/tool.json', pkg).map((r) => r.host),
      ['api.acme-retail.com'],
    );
  });

  it('keeps UTF-16 positions on lines with astral characters and CRLF line ends', () => {
    const text = 'title: shop\r\n"🔒": https://api.acme-retail.com/x\r\n';
    const [ref] = discoverHosts('/ws/x.yml', text);
    assert.deepEqual(ref.range, { start: { line: 1, character: 14 }, end: { line: 1, character: 33 } });
  });

  it('groups references by host:port, adds extra hosts from settings, and marks STARTTLS ports', () => {
    const a = discoverHosts(
      '/ws/a.env',
      'API=https://api.acme-retail.com\nMAIL_HOST=mail.acme-retail.com\nMAIL_PORT=587\nMAIL_STARTTLS=true\n',
    );
    const b = discoverHosts('/ws/b.yaml', 'url: https://api.acme-retail.com:443/v2\nother: https://api.acme-retail.com:8443/\n');
    const targets = groupTargets([...b, ...a], { extra: ['localhost:8443', 'https://status.acme-retail.com', 'bad host'] });
    assert.deepEqual(
      targets.map((t) => [t.key, t.references.map((r) => r.file), !!t.userDefined, t.starttls ?? null]),
      [
        ['api.acme-retail.com:443', ['/ws/a.env', '/ws/b.yaml'], false, null],
        ['api.acme-retail.com:8443', ['/ws/b.yaml'], false, null],
        ['localhost:8443', [], true, null],
        ['mail.acme-retail.com:587', ['/ws/a.env'], false, 'smtp'],
        ['status.acme-retail.com:443', [], true, null],
      ],
    );
  });

  it('finds certificate files named by keys in YAML, .env and JSON, resolved against the file', () => {
    const yaml = `tls:
  cert_file: certs/server.crt
  key_file: certs/server.key
  ca: /etc/pki/ca.pem
  insecure: false
database:
  sslrootcert: "~/.postgresql/root.crt"
  certificate: \${CERT_PATH}
`;
    assert.deepEqual(
      certificateFileReferences('/ws/app/config.yaml', yaml).map((r) => [r.key, r.target, r.range]),
      [
        ['cert_file', '/ws/app/certs/server.crt', at(yaml, 'certs/server.crt')],
        ['ca', '/etc/pki/ca.pem', at(yaml, '/etc/pki/ca.pem')],
        ['sslrootcert', path.join(os.homedir(), '.postgresql/root.crt'), at(yaml, '~/.postgresql/root.crt')],
      ],
    );
    assert.deepEqual(
      certificateFileReferences('/ws/.env', 'TLS_CA_FILE=./ca/bundle.pem\nSSL_CERT=server.cer\nCA=true\n').map((r) => r.target),
      ['/ws/ca/bundle.pem', '/ws/server.cer'],
    );
    assert.deepEqual(
      certificateFileReferences('/ws/x.json', '{"ssl": {"caFile": "ssl/ca.p12", "cert": "https://x.acme.io/c.pem"}}').map((r) => r.target),
      ['/ws/ssl/ca.p12'],
    );
  });

  it('reads a file whose only hints are a port key or a CA key (the words that decide whether a file is parsed at all)', () => {
    // No tls/ssl/https word anywhere: the port key is the TLS hint; `import` and `export` are not port keys.
    const env = 'LDAP_HOST=ldap.acme-retail.com\nLDAP_PORT=636\n';
    assert.deepEqual(
      discoverHosts('/ws/a.env', env).map((r) => `${r.host}:${r.port}`),
      ['ldap.acme-retail.com:636'],
    );
    const yaml = '# import and export settings\nldap:\n  host: ldap.acme-retail.com\n  port: 636\n';
    assert.deepEqual(
      discoverHosts('/ws/values.yaml', yaml).map((r) => `${r.host}:${r.port}`),
      ['ldap.acme-retail.com:636'],
    );
    // No cert/crt/pem/ssl/tls word: `ca` followed by a non-letter or file/path/bundle/info is the hint.
    for (const [file, text] of [
      ['/ws/x.json', '{"caFile": "trust/root.cer"}'],
      ['/ws/a.env', 'CA_BUNDLE=trust/root.cer\n'],
      ['/ws/c.yaml', 'ca: trust/root.cer\n'],
    ]) {
      assert.deepEqual(
        certificateFileReferences(file, text).map((r) => r.target),
        ['/ws/trust/root.cer'],
        text,
      );
    }
  });

  it('stays linear on hostile input: long space runs, dotted runs, deep nesting, huge minified JSON', () => {
    const hostile: [string, string][] = [
      ['x.yaml', 'a' + ' '.repeat(200_000) + 'b\nport: 443\nhost: x'],
      ['x.yaml', 'url: ' + 'a.'.repeat(300_000) + '\nport: 443'],
      ['x.env', 'A=' + '1.'.repeat(300_000) + ':443\n'],
      ['x.json', '['.repeat(100_000) + ']'.repeat(100_000)],
      [
        'x.json',
        JSON.stringify({
          a: Array.from({ length: 60_000 }, (_, i) => ({
            host: `h${i}.acme-retail.com`,
            port: 443,
            url: `https://x.acme-retail.com/${i}`,
          })),
        }),
      ],
      ['nginx.conf', 'server {'.repeat(50_000) + 'listen 443 ssl; server_name a.acme-retail.com;' + '}'.repeat(50_000)],
      ['x.xml', '<a x="' + 'y'.repeat(500_000)],
      ['x.toml', 'a = "' + '\\"'.repeat(200_000) + '\n'],
      ['urls.yaml', 'u: https://a.acme-retail.com:8443/ https://b.acme-retail.com/\n'.repeat(125_000)],
      ['names.json', JSON.stringify(Array.from({ length: 150_000 }, (_, i) => ({ name: `K${i}`, value: 'v' })))],
    ];
    for (const [file, text] of hostile) {
      const started = performance.now();
      const refs = discoverHosts(`/ws/${file}`, text);
      certificateFileReferences(`/ws/${file}`, text);
      assert.ok(refs.length <= 500);
      const ms = performance.now() - started;
      assert.ok(ms < 10_000, `${file} (${text.length} chars) took ${Math.round(ms)} ms`);
    }
  });

  it('reads 3,000 config files of 200 lines, finding every host (the time is printed; a hang guard only)', () => {
    const yaml = Array.from({ length: 200 }, (_, i) =>
      i % 20 === 0 ? `svc${i}:\n  host: h${i}.acme-retail.com\n  port: 8443` : `  key${i}: value ${i} with some text`,
    ).join('\n');
    const props = Array.from({ length: 200 }, (_, i) => `app.setting${i}=value-${i}`).join('\n');
    const source = Array.from({ length: 200 }, (_, i) => `const x${i} = "https://h${i}.acme-retail.com";`).join('\n');
    const started = performance.now();
    let count = 0;
    for (let i = 0; i < 1000; i++) {
      count += discoverHosts(`/ws/f${i}.yaml`, yaml).length;
      count += discoverHosts(`/ws/f${i}.properties`, props).length;
      count += discoverHosts(`/ws/f${i}.ts`, source).length;
    }
    const ms = performance.now() - started;
    assert.equal(count, 1000 * 10);
    console.log(`      3,000 files: ${Math.round(ms)} ms`);
    assert.ok(ms < 30_000, `took ${Math.round(ms)} ms`);
  });
});

describe('host discovery: endpoints, not links', () => {
  it('reads nothing in a CRD but its conversion webhook: schema descriptions, wrapped prose and the approval link are not endpoints', () => {
    const text = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.acme-corp.net
  annotations:
    api-approved.kubernetes.io: https://github.com/kubernetes-sigs/gateway-api/pull/4530
spec:
  group: acme-corp.net
  conversion:
    strategy: Webhook
    webhook:
      clientConfig:
        url: https://convert.acme-corp.net:8443/convert
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          description: Widget is a thing.
          properties:
            apiVersion:
              description: |-
                APIVersion defines the versioned schema of this representation of an object.
                More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
              type: string
            endpoint:
              description: 'Endpoint of the service, for example
                https://api.acme-corp.net:8443. More info: https://docs.acme-corp.net/widgets'
              type: string
            server:
              default: https://default.acme-corp.net
              description: The server to call. See the reference
                More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names
              type: string
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: widget-settings
data:
  WIDGET_API_URL: https://widgets.acme-corp.net/v1
`;
    check('/ws/deploy/crds/widgets.yaml', text, [
      ['url', 'convert.acme-corp.net', 8443, 'convert.acme-corp.net:8443'],
      ['url', 'widgets.acme-corp.net', 443, 'widgets.acme-corp.net', 1],
    ]);
  });

  it('reads nothing in Helm chart metadata, and the same fields elsewhere are not endpoints either: home, sources, maintainers, icon', () => {
    const text = `apiVersion: v2
name: shop
version: 1.2.3
home: https://shop.acme-corp.net
icon: https://cdn.acme-corp.net/shop.png
sources:
  - https://git.acme-corp.net/shop/chart
maintainers:
  - name: ops
    email: ops@acme-corp.net
    url: https://team.acme-corp.net/ops
dependencies:
  - name: postgresql
    repository: https://charts.acme-corp.net/stable
annotations:
  artifacthub.io/links: |
    - name: docs
      url: https://docs.acme-corp.net/shop
`;
    assert.deepEqual(discoverHosts('/ws/charts/shop/Chart.yaml', text), []);
    assert.deepEqual(
      discoverHosts('/ws/charts/shop/Chart.lock', 'dependencies:\n- name: x\n  repository: https://charts.acme-corp.net/stable\n'),
      [],
    );
    // By key alone, in a file of another name.
    assert.deepEqual(discoverHosts('/ws/meta/chart-info.yaml', text), []);
  });

  it('reads Helm values: externalDatabase.host with TLS, ingress hosts and auth URL; not docs links, image sources or prose', () => {
    const text = `## Shop chart values. Docs: https://docs.acme-corp.net/charts/shop
image:
  registry: registry.acme-corp.net
  repository: shop/api
  documentation: https://docs.acme-corp.net/images/shop-api
externalDatabase:
  host: db.acme-corp.net
  port: 5432
  sslmode: verify-full
  description: Managed PostgreSQL, see https://docs.acme-corp.net/db for credentials
ingress:
  enabled: true
  annotations:
    nginx.ingress.kubernetes.io/auth-url: https://auth.acme-corp.net/oauth2/auth
    kubernetes.io/description: fronted by https://cdn.acme-corp.net
  hosts:
    - host: shop.acme-corp.net
      paths: ["/"]
  tls:
    - secretName: shop-tls
      hosts: [shop.acme-corp.net]
metrics:
  runbookUrl: https://runbooks.acme-corp.net/shop
  help: https://help.acme-corp.net/metrics
`;
    check('/ws/charts/shop/values.yaml', text, [
      ['key:host', 'db.acme-corp.net', 5432, 'db.acme-corp.net', 0],
      ['url', 'auth.acme-corp.net', 443, 'auth.acme-corp.net'],
      // The rule's host has no TLS hint of its own: read as a bare name under a host key; the tls section names it too.
      ['key:host', 'shop.acme-corp.net', 443, 'shop.acme-corp.net', 0],
      ['key:hosts', 'shop.acme-corp.net', 443, 'shop.acme-corp.net', 1],
    ]);
  });

  it('reads docker-compose DB_HOST and connection URLs; not OCI source/documentation labels', () => {
    const text = `services:
  api:
    image: registry.acme-corp.net:443/shop/api:1.4
    labels:
      org.opencontainers.image.source: https://git.acme-corp.net/shop/api
      org.opencontainers.image.documentation: https://docs.acme-corp.net/api
      org.opencontainers.image.description: "API, see https://docs.acme-corp.net for details"
    environment:
      DB_HOST: db.acme-corp.net
      DB_PORT: 5432
      DB_SSLMODE: require
      ETCD_ENDPOINTS: https://etcd1.acme-corp.net:2379,https://etcd2.acme-corp.net:2379
      WELCOME: "Welcome! Our status page is https://status.acme-corp.net"
    command: ["--master=https://k8s.acme-corp.net:6443", "--v=2"]
`;
    check('/ws/docker-compose.yml', text, [
      ['host:port', 'registry.acme-corp.net', 443, 'registry.acme-corp.net:443'],
      ['key:DB_HOST', 'db.acme-corp.net', 5432, 'db.acme-corp.net'],
      ['url', 'etcd1.acme-corp.net', 2379, 'etcd1.acme-corp.net:2379'],
      ['url', 'etcd2.acme-corp.net', 2379, 'etcd2.acme-corp.net:2379'],
      ['url', 'k8s.acme-corp.net', 6443, 'k8s.acme-corp.net:6443'],
    ]);
  });

  it('reads a .properties JDBC URL; not descriptions, docs or prose values', () => {
    const text = `spring.datasource.url=jdbc:postgresql://pg.acme-corp.net:5432/shop?sslmode=require
info.app.description=Shop API, see https://docs.acme-corp.net/shop
springdoc.api-docs.url=https://docs.acme-corp.net/openapi
app.support.url=https://support.acme-corp.net
app.message-broker-url=amqps://mq.acme-corp.net
app.greeting=Visit https://www.acme-corp.net today
`;
    check('/ws/src/main/resources/application.properties', text, [
      ['url', 'pg.acme-corp.net', 5432, 'pg.acme-corp.net:5432'],
      ['url', 'mq.acme-corp.net', 5671, 'mq.acme-corp.net'],
    ]);
  });

  it("reads a .properties value continued over lines under its key: an XML template's xmlns line is no setting; a continued server list is", () => {
    // Tomcat's Jasper message templates (LocalStrings.properties).
    const text = `jspc.webxml.header=<?xml version="1.0" encoding="{0}"?>\\n\\
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"\\n\\
\\              xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\\n\\
\\              version="6.0">\\n
cluster.members=https://node1.acme-corp.net:8443 \\
    https://node2.acme-corp.net:8443
path.share=C:\\\\
backup.url=https://backup.acme-corp.net
`;
    check('/ws/java/org/apache/jasper/resources/LocalStrings.properties', text, [
      ['url', 'node1.acme-corp.net', 8443, 'node1.acme-corp.net:8443'],
      ['url', 'node2.acme-corp.net', 8443, 'node2.acme-corp.net:8443'],
      ['url', 'backup.acme-corp.net', 443, 'backup.acme-corp.net'],
    ]);
  });

  it('drops URLs in JSON descriptions, help texts and link lists; keeps connection settings, also in broken JSON', () => {
    const text = `{
  "name": "shop",
  "description": "See https://docs.acme-corp.net/shop for details",
  "help": "https://help.acme-corp.net",
  "links": [{ "title": "Status", "url": "https://status.acme-corp.net" }],
  "repository": { "type": "git", "url": "https://git.acme-corp.net/shop" },
  "upstream": { "url": "https://upstream.acme-corp.net/api" }
  "backup": "https://backup.acme-corp.net"
`;
    check('/ws/config/shop.json', text, [
      ['url', 'upstream.acme-corp.net', 443, 'upstream.acme-corp.net'],
      ['url', 'backup.acme-corp.net', 443, 'backup.acme-corp.net'],
    ]);
  });

  it('reads only where an OpenAPI document says the API is served; nothing in a JSON Schema document', () => {
    const openapi = `openapi: 3.0.3
info:
  title: Shop API
  description: Docs at https://docs.acme-corp.net/api
  termsOfService: https://www.acme-corp.net/terms
  contact:
    url: https://support.acme-corp.net
  license:
    name: MIT
    url: https://opensource.org/licenses/MIT
externalDocs:
  url: https://docs.acme-corp.net/shop
servers:
  - url: https://api.acme-corp.net/v1
    description: production
  - url: https://{region}.api.acme-corp.net/v1
paths:
  /orders:
    get:
      servers:
        - url: https://orders.acme-corp.net
      parameters:
        - name: callback
          example: https://hooks.acme-corp.net/x
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://login.acme-corp.net/oauth/token
          scopes: {}
`;
    check('/ws/api/openapi.yaml', openapi, [
      ['url', 'api.acme-corp.net', 443, 'api.acme-corp.net', 0],
      ['url', 'orders.acme-corp.net', 443, 'orders.acme-corp.net'],
      ['url', 'login.acme-corp.net', 443, 'login.acme-corp.net'],
    ]);
    const schema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "properties": { "endpoint": { "type": "string", "default": "https://api.acme-corp.net", "examples": ["https://eu.api.acme-corp.net"] } }
}`;
    assert.deepEqual(discoverHosts('/ws/config/settings.json', schema), []);
    assert.deepEqual(discoverHosts('/ws/charts/shop/values.schema.json', schema.replace('$schema', 'x')), []);
  });

  it('reads config files held in block scalars (a ConfigMap nginx.conf, application.properties, a service-account JSON, an embedded values file), not scripts or prose; env values by their names', () => {
    const text = `apiVersion: v1
kind: ConfigMap
metadata:
  name: edge
data:
  nginx.conf: |
    server {
      listen 443 ssl;
      server_name edge.acme-corp.net;  # see https://nginx.org/en/docs/
      ssl_certificate /etc/nginx/tls/edge.crt;
      location / { proxy_pass https://origin.acme-corp.net:8443; }
    }
  application.properties: |
    spring.ldap.urls=ldaps://ldap.acme-corp.net
  credentials: |
    { "type": "service_account", "token_uri": "https://oauth2.acme-corp.net/token" }
  extraConfig: |-
    remote_write:
      - url: https://metrics.acme-corp.net/api/v1/write
  entrypoint.sh: |
    curl -fsSL https://get.acme-corp.net/install.sh | sh
  NOTES: >
    Open https://console.acme-corp.net to finish the setup.
---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: edge
          env:
            - name: DOCS_URL
              value: https://docs.acme-corp.net/edge
            - name: UPSTREAM_URL
              value: https://upstream.acme-corp.net
`;
    check('/ws/k8s/edge.yaml', text, [
      ['nginx server_name', 'edge.acme-corp.net', 443, 'edge.acme-corp.net'],
      ['nginx proxy_pass', 'origin.acme-corp.net', 8443, 'origin.acme-corp.net:8443'],
      ['url', 'ldap.acme-corp.net', 636, 'ldap.acme-corp.net'],
      ['url', 'oauth2.acme-corp.net', 443, 'oauth2.acme-corp.net'],
      ['url', 'metrics.acme-corp.net', 443, 'metrics.acme-corp.net'],
      // Environment variables are read under their names: DOCS_URL is a link, UPSTREAM_URL a setting.
      ['url', 'upstream.acme-corp.net', 443, 'upstream.acme-corp.net'],
    ]);
    assert.deepEqual(
      certificateFileReferences('/ws/k8s/edge.yaml', text).map((r) => [r.key, r.target, r.range]),
      [['ssl_certificate', '/etc/nginx/tls/edge.crt', at(text, '/etc/nginx/tls/edge.crt')]],
    );
  });

  it('masks Go template comments inside block scalars of a Helm template (a ConfigMap haproxy.cfg), keeping the config around them', () => {
    const text = `apiVersion: v1
kind: ConfigMap
data:
  haproxy.cfg: |
    global
      maxconn 1024
    frontend fe_main
      {{- /* This port is hardcoded: https://github.com/acme-corp/app/blob/main/Config.java#L136 */}}
      bind :8080
      default_backend be_main
    backend be_main
      server api api.acme-corp.net:8443 check ssl verify required
`;
    check('/ws/chart/templates/redirect-configmap.yaml', text, [['haproxy server', 'api.acme-corp.net', 8443, 'api.acme-corp.net:8443']]);
  });

  it('never reads a wrapped value line as a key: "More info: https://…" continues the value above it', () => {
    const text = `settings:
  note: This endpoint is deprecated and will be removed.
    More info: https://docs.acme-corp.net/migrate
  legacy: "see the guide at
    Guide: https://guide.acme-corp.net"
  api: https://api.acme-corp.net
  defaults: &defaults
    url: https://defaults.acme-corp.net
`;
    check('/ws/settings.yaml', text, [
      ['url', 'api.acme-corp.net', 443, 'api.acme-corp.net'],
      ['url', 'defaults.acme-corp.net', 443, 'defaults.acme-corp.net'],
    ]);
  });

  it('skips build, CI, release and documentation-site files; kustomize build inputs but not its generated config', () => {
    const url = 'url: https://api.acme-corp.net\n';
    for (const file of [
      '/ws/.github/workflows/deploy.yml',
      '/ws/.github/ISSUE_TEMPLATE/bug.yml',
      '/ws/.gitlab-ci.yml',
      '/ws/.ci/jobs/defaults.yml',
      '/ws/mkdocs.yml',
      '/ws/setup.cfg',
      '/ws/.mvn/wrapper/maven-wrapper.properties',
      '/ws/.goreleaser.yml',
      '/ws/.pre-commit-config.yaml',
      '/ws/api/shop.schema.yaml',
      '/ws/.devcontainer/devcontainer.json',
      // chart-testing's config under its other extension, Yarn's settings, ESP-IDF's and PlatformIO's build manifests.
      '/ws/.ct.yml',
      '/ws/ct.yml',
      '/ws/modules/web/.yarnrc.yml',
      '/ws/main/idf_component.yml',
      '/ws/platformio.ini',
      '/ws/galaxy.yml',
      '/ws/eng/Version.Details.xml',
      '/ws/antsibull-nox.toml',
      // Azure Marketplace's portal form for a managed application (its links are for people; mainTemplate.json is still read).
      '/ws/hack/azure/aks/createUIDefinition.json',
      // mdBook's site config (edit links, the repository); Docker Buildx Bake's build definitions (image labels, registries).
      '/ws/docs/book.toml',
      '/ws/docker/docker-bake.hcl',
      '/ws/docker-bake.override.hcl',
      '/ws/docker-bake.json',
      // jsonnet-bundler's manifest and lock (sources on GitHub); Zensical's documentation-site config.
      '/ws/charts/metrics/jsonnetfile.json',
      '/ws/charts/metrics/jsonnetfile.lock.json',
      '/ws/zensical.toml',
      // Google Cloud Build's pipelines, Ant's build file, JSON Schemas named with _ or - (pydantic's output schema).
      '/ws/cloudbuild.yaml',
      '/ws/cloudbuild_master.yaml',
      '/ws/ci/cloudbuild-pr.yml',
      '/ws/build.xml',
      '/ws/json_output_schema.json',
      '/ws/api/orders-schema.yaml',
      // Ansible Galaxy: a role's metadata and the roles and collections to install (fedora-infra/ansible); Helm 2's dependencies.
      '/ws/roles/osbuild-worker/meta/main.yml',
      '/ws/roles/abrt/requirements.yml',
      '/ws/collections/requirements.yaml',
      '/ws/charts/shop/requirements.yaml',
      // An Arduino library's manifest (url= its homepage), MicroPython's board descriptions (the vendor's page),
      // SBOMs (components' homepages), versionbot's changelog, CircleCI 1.0's config, DocFX's site config.
      '/ws/library.properties',
      '/ws/ports/esp32/boards/UM_TINYS3/board.json',
      '/ws/scripts/sbom.cdx.json',
      '/ws/bom.json',
      '/ws/dist/app.spdx.json',
      '/ws/.versionbot/CHANGELOG.yml',
      '/ws/circle.yml',
      '/ws/eng/docgeneration/docfx.json',
      // An Arduino core's Boards Manager index (toolchain downloads), as published and as a template.
      '/ws/package/package_esp8266com_index.template.json',
      '/ws/package_esp32_index.json',
    ]) {
      const text =
        file.endsWith('.properties') || file.endsWith('.cfg') || file.endsWith('.ini')
          ? 'url=https://api.acme-corp.net\n'
          : file.endsWith('.json')
            ? '{"url": "https://api.acme-corp.net"}'
            : file.endsWith('.xml')
              ? '<Dependencies><Dependency Name="Sdk"><Uri>https://api.acme-corp.net</Uri></Dependency></Dependencies>\n'
              : url;
      assert.deepEqual(discoverHosts(file, text), [], file);
    }
    for (const file of [
      '/ws/schema-registry.yaml',
      '/ws/cloudbuilder/config.yaml',
      '/ws/deploy/build.yaml',
      '/ws/roles/web/vars/main.yml',
      '/ws/meta/settings.yml',
    ]) {
      assert.equal(discoverHosts(file, url).length, 1, file);
    }
    // Puppet's (and Chef's) module metadata, known by its keys: metadata.json is a common name.
    const puppetMetadata =
      '{\n  "name": "acme-collectd",\n  "version": "1.2.0",\n  "source": "https://git.acme-corp.net/puppet/collectd",\n' +
      '  "project_page": "https://git.acme-corp.net/puppet/collectd",\n  "issues_url": "https://tickets.acme-corp.net",\n  "dependencies": []\n}\n';
    assert.deepEqual(discoverHosts('/ws/modules/collectd/metadata.json', puppetMetadata), []);
    assert.ok(discoverHosts('/ws/modules/collectd/settings.json', puppetMetadata).length > 0, 'the same keys elsewhere are read');
    assert.equal(
      discoverHosts('/ws/openstack/metadata.json', '{"meta": {"api": "https://api.acme-corp.net"}}').length,
      1,
      'another metadata.json is read',
    );
    for (const file of ['/ws/schema-registry.yaml', '/ws/cloudbuilder/config.yaml', '/ws/deploy/build.yaml'])
      assert.equal(discoverHosts(file, url).length, 1, file);
    // A board.json outside a boards/NAME/ folder is not MicroPython's; an SBOM's suffix is not in an app's name.
    for (const file of ['/ws/config/board.json', '/ws/app/inventory.json', '/ws/config/package_settings.json'])
      assert.equal(discoverHosts(file, '{"url": "https://api.acme-corp.net"}').length, 1, file);
    assert.equal(
      discoverHosts('/ws/.vscode/settings.json', '{"rest-client.environmentVariables": {"prod": {"baseUrl": "https://api.acme-corp.net"}}}')
        .length,
      1,
      'editor settings are read',
    );
    // A Go file about Caddyfiles is not a Caddyfile.
    assert.deepEqual(discoverHosts('/ws/caddyfile.go', 'hdr.request {\n}\n'), []);
    assert.equal(discoverHosts('/ws/Caddyfile.prod', 'shop.acme-corp.net {\n}\n').length, 1);
    const kustomization = `resources:
  - https://git.acme-corp.net/platform/base
  - deployment.yaml
helmCharts:
  - name: redis
    repo: https://charts.acme-corp.net
configMapGenerator:
  - name: shop
    literals:
      - API_URL=https://api.acme-corp.net
`;
    check('/ws/overlays/prod/kustomization.yaml', kustomization, [['url', 'api.acme-corp.net', 443, 'api.acme-corp.net']]);
    // helmfile: the chart repositories helm downloads from are not endpoints; the releases' values are read.
    const helmfile = `repositories:
  - name: bitnami
    url: https://charts.acme-corp.net/bitnami
releases:
  - name: shop
    chart: bitnami/shop
    values:
      - api:
          url: https://api.acme-corp.net
`;
    check('/ws/deployments/shop/helmfile.yaml', helmfile, [['url', 'api.acme-corp.net', 443, 'api.acme-corp.net']]);
    assert.equal(discoverHosts('/ws/deploy/values.yaml', helmfile).length, 2, 'repositories are read outside a helmfile');
  });

  it('tells connection values from prose', () => {
    const settings = [
      'https://api.acme-corp.net',
      'https://a.acme-corp.net:2379,https://b.acme-corp.net:2379',
      'ldaps://a.acme-corp.net ldaps://b.acme-corp.net',
      '--server=https://k8s.acme-corp.net:6443',
      'jdbc:postgresql://pg.acme-corp.net/db?sslmode=require',
      'db.acme-corp.net:5432',
      '["https://a.acme-corp.net", "https://b.acme-corp.net"]',
      'mongodb://a.acme-corp.net,b.acme-corp.net/db?tls=true',
      'API_URL=https://api.acme-corp.net',
    ];
    const prose = [
      'See https://docs.acme-corp.net for details',
      'https://docs.acme-corp.net explains it',
      'More info: https://kubernetes.io/docs',
      'curl -sSL https://get.acme-corp.net | sh',
      '{"url":"https://api.acme-corp.net"}',
      'git::https://git.acme-corp.net/mod.git',
    ];
    for (const v of settings) assert.equal(isConnectionValue(v), true, v);
    for (const v of prose) assert.equal(isConnectionValue(v), false, v);
  });
});

describe('probe targets', () => {
  it('sends a probe to the --resolve address while keeping the host for SNI, with the STARTTLS upgrade', () => {
    const resolve = new Map([['db.acme-corp.net:5432', { host: '10.0.0.7', port: 15432 }]]);
    const connectTo = (host: string, port: number) => resolve.get(`${host}:${port}`);
    assert.deepEqual(probeTargetFor({ host: 'db.acme-corp.net', port: 5432, starttls: 'postgres' }, connectTo), {
      host: 'db.acme-corp.net',
      port: 5432,
      connectTo: { host: '10.0.0.7', port: 15432 },
      starttls: 'postgres',
    });
    assert.deepEqual(probeTargetFor({ host: 'api.acme-corp.net', port: 443 }, connectTo), { host: 'api.acme-corp.net', port: 443 });
    assert.deepEqual(probeTargetFor({ host: 'api.acme-corp.net', port: 443 }), { host: 'api.acme-corp.net', port: 443 });
  });
});
