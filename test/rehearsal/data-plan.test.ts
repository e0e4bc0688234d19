/**
 * The data-store stand-ins' pure parts: what to start for each app of the recorded stacks, and
 * the server configuration they are started with. No processes.
 */
import { recordStack, Recording } from "../harness";
import {
  appsWithData, bootstrapSql, connectionSecretFor, dataPlanFor, postgresConf, postgresHba, redisConf, redisSecretFor, serverExtensions,
} from "../../tools/rehearsal/data";

let staging: Recording;
let prod: Recording;
beforeAll(async () => {
  staging = await recordStack("staging");
  prod = await recordStack("prod");
}, 120000);

describe("data plan from the recording", () => {
  test("every app with an RDS instance gets its database, master user, password and port from the connection secret", () => {
    for (const rec of [staging, prod]) {
      const apps = appsWithData(rec);
      expect(apps).toEqual(expect.arrayContaining(["smartboostpro", "avanii-shop", "flashbill"]));
      for (const app of apps) {
        const p = dataPlanFor(rec, app);
        const db = rec.ofType("aws:rds/instance:Instance").find((r) => r.parent?.endsWith(`::${app}-db`) && !r.inputs.replicateSourceDb);
        if (!db) continue;
        expect(p.postgres).toMatchObject({ dbName: db.inputs.dbName, username: db.inputs.username, password: db.inputs.password, port: 5432, sslmode: "require" });
        expect(p.postgres?.secretName).toBe(`${rec.stack}/${app}/DATABASE`);
        expect(p.postgres?.host).toBe(db.outputs.address);
      }
    }
    expect(dataPlanFor(staging, "avanii-shop").postgres?.dbName).toBe("avanii_staging");
  });

  test("apps with a replication group get its AUTH token, TLS on, port 6379; apps without have no redis", () => {
    const p = dataPlanFor(staging, "flashbill");
    const group = staging.one("aws:elasticache/replicationGroup:ReplicationGroup", "flashbill-cache-redis");
    expect(p.redis).toMatchObject({ authToken: group.inputs.authToken, port: 6379, tls: true, secretName: "staging/flashbill/REDIS" });
    expect(p.redis?.authToken).toMatch(/^[A-Za-z0-9-]{16,128}$/);
    expect(dataPlanFor(staging, "avanii-shop").redis).toBeUndefined();
    expect(dataPlanFor(staging, "nope")).toEqual({ app: "nope", stack: "staging" });
  });

  test("the secrets can be served pointing at the stand-in's address, credentials unchanged", () => {
    const p = dataPlanFor(staging, "smartboostpro").postgres!;
    const s = connectionSecretFor(p, "10.20.0.50");
    expect(s.host).toBe("10.20.0.50");
    expect(s.DATABASE_URL).toBe(`postgresql://${p.username}:${p.password}@10.20.0.50:5432/${p.dbName}?sslmode=require`);
    expect(connectionSecretFor(p)).toEqual(p.secretValue);
    const r = dataPlanFor(staging, "flashbill").redis!;
    expect(redisSecretFor(r, "10.20.0.51").REDIS_URL).toBe(`rediss://:${r.authToken}@10.20.0.51:6379/0`);
  });
});

describe("stand-in configuration", () => {
  test("PostgreSQL: TLS on, 1.2 at least, listens on the given address only; pg_hba rejects plain text and allows hostssl only", () => {
    const conf = postgresConf({ address: "10.1.2.3", port: 5432, socketDir: "/run/x", certFile: "/c.pem", keyFile: "/k.pem" });
    expect(conf).toMatch(/^listen_addresses = '10\.1\.2\.3'$/m);
    expect(conf).toMatch(/^ssl = on$/m);
    expect(conf).toMatch(/^ssl_min_protocol_version = 'TLSv1\.2'$/m);
    const hba = postgresHba().split("\n").filter((l) => l && !l.startsWith("#"));
    expect(hba.filter((l) => /^host\s/.test(l))).toEqual([]);
    expect(hba.filter((l) => l.startsWith("hostnossl")).every((l) => l.endsWith("reject"))).toBe(true);
    expect(hba.filter((l) => l.startsWith("hostssl")).every((l) => l.endsWith("scram-sha-256"))).toBe(true);
  });

  test("the master user is not a superuser and owns its database; quotes are escaped", () => {
    expect(bootstrapSql("app_admin", "p'w", "shop")).toEqual([
      `CREATE ROLE "app_admin" LOGIN CREATEDB CREATEROLE PASSWORD 'p''w'`,
      `CREATE DATABASE "shop" OWNER "app_admin"`,
    ]);
  });

  test("Redis: no plain-text port, TLS port, AUTH, no client certificates; a token ElastiCache would refuse is refused", () => {
    const conf = redisConf({ address: "10.1.2.3", port: 6379, dir: "/d", certFile: "/c", keyFile: "/k", caFile: "/ca", authToken: "a".repeat(64) });
    expect(conf).toMatch(/^port 0$/m);
    expect(conf).toMatch(/^tls-port 6379$/m);
    expect(conf).toMatch(/^bind 10\.1\.2\.3$/m);
    expect(conf).toMatch(/^requirepass a{64}$/m);
    expect(conf).toMatch(/^tls-auth-clients no$/m);
    expect(() => redisConf({ address: "a", port: 1, dir: "/d", certFile: "/c", keyFile: "/k", caFile: "/ca", authToken: "has space" })).toThrow(/AUTH token/);
  });

  test("server certificates name the endpoints and the address, for serverAuth", () => {
    const ext = serverExtensions(["db.example.com"], ["10.0.0.5"]);
    expect(ext).toMatch(/subjectAltName=DNS:db\.example\.com,IP:10\.0\.0\.5/);
    expect(ext).toMatch(/extendedKeyUsage=serverAuth/);
    expect(() => serverExtensions([], [])).toThrow();
  });
});
