/**
 * Data-store stand-ins for the rehearsal: RDS PostgreSQL and ElastiCache Redis, each a real
 * server from Debian's packages with TLS required, started from what the recorded plan creates.
 *
 *   const plan = dataPlanFor(recording, "smartboostpro");
 *   const ca = makeCa(`${runDir}/ca`);
 *   const pg = await startPostgres({ dir, address, netns, ca, certNames: [plan.postgres.host],
 *     dbName: plan.postgres.dbName, username: plan.postgres.username, password: plan.postgres.password });
 *   const redis = await startRedis({ dir, address, netns, ca, certNames: [plan.redis.host], authToken: plan.redis.authToken });
 *   ... pg.stop(); redis.stop();
 *
 * See docs/rehearsal.md, "Data stores and sample apps", for how each differs from AWS.
 */
export * from "./plan";
export * from "./tls";
export * from "./postgres";
export * from "./redis";

/** Debian packages the data-store stand-ins need on the machine that runs the rehearsal. */
export const DATA_PACKAGES = ["postgresql", "postgresql-client", "redis-server", "redis-tools", "openssl", "util-linux", "iproute2"];
