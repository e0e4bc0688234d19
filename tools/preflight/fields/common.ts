/** Field-table pieces several resource types share. */
import { Field, charset, maxLength, notMatches } from "../rules";

/** Tag key and value fields for a model whose tag shapes carry their own pattern and length. */
export function tagFields(keyApi: string, valueApi: string): Record<string, Field> {
  return { "tags{}": keyApi, "tags.*": valueApi };
}

/** EC2 states its tag rules only in prose (ec2 Tag.Key / Tag.Value documentation). */
export const EC2_TAGS: Record<string, Field> = {
  "tags{}": {
    api: "ec2:CreateTags.Tags[].Key",
    prose: [
      maxLength("Tag keys are case-sensitive and accept a maximum of 127 Unicode characters.", 127),
      notMatches("May not begin with aws:", /^aws:/i, "no aws: prefix"),
    ],
  },
  "tags.*": { api: "ec2:CreateTags.Tags[].Value", prose: [maxLength("Tag values are case-sensitive and accept a maximum of 256 Unicode characters.", 256)] },
};

/** The characters EC2 accepts in security group names and descriptions (CreateSecurityGroup). */
export const EC2_GROUP_TEXT = charset("Valid characters: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*", "a-zA-Z0-9 ._\\-:/()#,@\\[\\]+=&;{}!$*", "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*");
