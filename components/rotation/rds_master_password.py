"""Secrets Manager rotation for an RDS master password (one database, single user).

Secrets Manager calls this function four times per rotation, with Step set to:
  createSecret  a new password in a pending version of the connection secret (host, port,
                dbname and replica read afresh from RDS, so the secret follows the instance);
  setSecret     the database's master password set to it (rds:ModifyDBInstance: no network
                path to the database is needed, so the function runs outside the VPC);
  testSecret    waits until RDS has applied it;
  finishSecret  the pending version made current, and the operators' master secret given the
                same password.
The hosts re-read the connection secret every few minutes and restart their app when it
changed; connections opened with the old password keep working until then, new ones fail.

Environment: DB_INSTANCE_ID, MASTER_SECRET_ARN. No value is ever logged.
"""
import json
import os
import time
import urllib.parse

import boto3

PASSWORD_LENGTH = 40
APPLY_TIMEOUT_SECONDS = 240
POLL_SECONDS = 5

secrets = boto3.client("secretsmanager")
rds = boto3.client("rds")


def handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    meta = secrets.describe_secret(SecretId=arn)
    if not meta.get("RotationEnabled"):
        raise ValueError("rotation is not enabled for %s" % arn)
    stages = meta.get("VersionIdsToStages", {})
    if token not in stages:
        raise ValueError("version %s is not a version of %s" % (token, arn))
    if "AWSCURRENT" in stages[token]:
        print("version %s is already current: nothing to do" % token)
        return
    if "AWSPENDING" not in stages[token]:
        raise ValueError("version %s of %s is not pending rotation" % (token, arn))
    STEPS[step](arn, token)
    print("%s done for version %s" % (step, token))


def create_secret(arn, token):
    current = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    try:
        secrets.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        return  # a retried step: the pending version exists already
    except secrets.exceptions.ResourceNotFoundException:
        pass
    # Letters and digits only: every character RDS accepts, and nothing a URL must encode.
    password = secrets.get_random_password(PasswordLength=PASSWORD_LENGTH, ExcludePunctuation=True)["RandomPassword"]
    secrets.put_secret_value(
        SecretId=arn, ClientRequestToken=token, VersionStages=["AWSPENDING"],
        SecretString=json.dumps(connection_value(current, password, describe(os.environ["DB_INSTANCE_ID"]))),
    )


def set_secret(arn, token):
    pending = pending_value(arn, token)
    rds.modify_db_instance(DBInstanceIdentifier=os.environ["DB_INSTANCE_ID"], MasterUserPassword=pending["password"], ApplyImmediately=True)


def test_secret(arn, token):
    deadline = time.monotonic() + APPLY_TIMEOUT_SECONDS
    while True:
        instance = describe(os.environ["DB_INSTANCE_ID"])
        if instance["DBInstanceStatus"] == "available" and "MasterUserPassword" not in instance.get("PendingModifiedValues", {}):
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the new master password was not applied within %d s (status %s)" % (APPLY_TIMEOUT_SECONDS, instance["DBInstanceStatus"]))
        time.sleep(POLL_SECONDS)


def finish_secret(arn, token):
    # The master secret first: a retry after a failed move finds the version still pending and
    # comes back here, while one after the move would return at once (already current).
    pending = pending_value(arn, token)
    master = json.loads(secrets.get_secret_value(SecretId=os.environ["MASTER_SECRET_ARN"])["SecretString"])
    master.update(password=pending["password"], host=pending["host"], port=pending["port"])
    secrets.put_secret_value(SecretId=os.environ["MASTER_SECRET_ARN"], SecretString=json.dumps(master))
    meta = secrets.describe_secret(SecretId=arn)
    current = next(v for v, s in meta["VersionIdsToStages"].items() if "AWSCURRENT" in s)
    secrets.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current)


def pending_value(arn, token):
    return json.loads(secrets.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")["SecretString"])


def describe(instance_id):
    return rds.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"][0]


def postgres_url(user, password, host, port, dbname):
    q = lambda s: urllib.parse.quote(str(s), safe="")
    return "postgresql://%s:%s@%s:%s/%s?sslmode=require" % (q(user), q(password), host, port, q(dbname))


def connection_value(current, password, instance):
    """The connection secret's layout (components/postgres.ts), with the new password."""
    value = dict(current)
    host, port = instance["Endpoint"]["Address"], instance["Endpoint"]["Port"]
    user, dbname = instance["MasterUsername"], instance.get("DBName") or current["dbname"]
    value.update(host=host, port=port, username=user, dbname=dbname, password=password,
                 DATABASE_URL=postgres_url(user, password, host, port, dbname))
    value.pop("replicaHost", None)
    value.pop("DATABASE_REPLICA_URL", None)
    replicas = instance.get("ReadReplicaDBInstanceIdentifiers", [])
    if replicas:
        replica = describe(replicas[0])["Endpoint"]["Address"]
        value.update(replicaHost=replica, DATABASE_REPLICA_URL=postgres_url(user, password, replica, port, dbname))
    return value


STEPS = {"createSecret": create_secret, "setSecret": set_secret, "testSecret": test_secret, "finishSecret": finish_secret}
