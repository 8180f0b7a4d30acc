#!/usr/bin/env python3
"""Writes Google Authenticator migration URIs with Google's protobuf library (PyPI `protobuf`),
an encoder independent of Jeton's, for core/tests/google.rs. Run: python3 google_migration.py > google_migration.txt

The schema is Google Authenticator's MigrationPayload, built here from its field numbers."""
import base64
import urllib.parse

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto
fdp = descriptor_pb2.FileDescriptorProto(name="migration.proto", package="gam", syntax="proto3")
payload = fdp.message_type.add(name="MigrationPayload")
params = payload.nested_type.add(name="OtpParameters")
for name, num, typ in [("secret", 1, F.TYPE_BYTES), ("name", 2, F.TYPE_STRING),
                       ("issuer", 3, F.TYPE_STRING), ("algorithm", 4, F.TYPE_INT32),
                       ("digits", 5, F.TYPE_INT32), ("type", 6, F.TYPE_INT32),
                       ("counter", 7, F.TYPE_INT64)]:
    params.field.add(name=name, number=num, type=typ, label=F.LABEL_OPTIONAL)
payload.field.add(name="otp_parameters", number=1, type=F.TYPE_MESSAGE,
                  label=F.LABEL_REPEATED, type_name=".gam.MigrationPayload.OtpParameters")
for name, num in [("version", 2), ("batch_size", 3), ("batch_index", 4), ("batch_id", 5)]:
    payload.field.add(name=name, number=num, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
pool = descriptor_pool.DescriptorPool()
pool.Add(fdp)
Payload = message_factory.GetMessageClass(pool.FindMessageTypeByName("gam.MigrationPayload"))


def b32(text):
    return base64.b32decode(text + "=" * (-len(text) % 8))


def uri(p):
    return "otpauth-migration://offline?data=" + urllib.parse.quote(
        base64.b64encode(p.SerializeToString()).decode(), safe="")


def add(p, secret, name, issuer="", algorithm=0, digits=0, typ=0, counter=0):
    o = p.otp_parameters.add()
    o.secret, o.name, o.issuer = b32(secret), name, issuer
    o.algorithm, o.digits, o.type, o.counter = algorithm, digits, typ, counter


# 1. One batch of one: the README accounts Google can hold, with every enum spelled out.
p = Payload(version=1, batch_size=1, batch_index=0, batch_id=-1320428940)
add(p, "4SJHB4GSD43FZBAI7C2HLRJGPQ", "Mason", "Deno", 1, 1, 2)
add(p, "YOOMIXWS5GN6RTBPUFFWKTW5M4", "Issuu:James", "", 1, 1, 1, 1)
add(p, "5VAML3X35THCEBVRLV24CGBKOY", "Mason", "WWE", 3, 2, 1, 10300)
add(p, "7ELGJSGXNCCTV3O6LKJWYFV2RA", "Elijah", "Airbnb", 3, 2, 2)
# unspecified algorithm/digits/type: SHA1, 6, TOTP
add(p, "JBSWY3DPEHPK3PXP", "plain", "Defaults")
# refused: MD5
add(p, "JBSWY3DPEHPK3PXP", "old", "Md5Corp", 4, 1, 2)
print("SINGLE", uri(p))

# 2. A batch of three codes, batch_id negative.
for i, (secret, name, issuer) in enumerate([
        ("KUVJJOM753IHTNDSZVCNKL7GII", "Benjamin", "Air Canada"),
        ("5OM4WOOGPLQEF6UGN3CPEOOLWU", "James", "SPDX"),
        ("JRZCL47CMXVOQMNPZR2F7J4RGI", "Sophia", "Boeing")]):
    p = Payload(version=1, batch_size=3, batch_index=i, batch_id=-7)
    add(p, secret, name, issuer, 2, 1, 2)
    print(f"BATCH{i}", uri(p))

# 3. A payload whose base64 contains '+' and '/': percent-encoded (%2B, %2F) as Google writes it,
#    and with them left raw as some tools write it (a raw '+' is base64, not a space).
p = Payload(version=1, batch_size=1, batch_index=0, batch_id=42)
add(p, "7PXZ7PXZ7PXZ7777", "plus", "Plus", 1, 1, 2)
raw = base64.b64encode(p.SerializeToString()).decode()
assert "+" in raw and "/" in raw, raw
print("PLUS", uri(p))
print("PLUS_RAW", "otpauth-migration://offline?data=" + raw)
