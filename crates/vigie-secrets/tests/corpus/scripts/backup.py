import boto3

# TODO: move to the instance profile
session = boto3.Session(
    aws_access_key_id="AKIAO44XRVC4YSHHEVGA",
    aws_secret_access_key="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",
    region_name="eu-west-3",
)
s3 = session.client("s3")
s3.upload_file("/var/backups/orders.sql.gz", "vigie-backups", "orders/92dfb23a37d604b05e23d4d2b2286b9767c4ff04.sql.gz")
