import { secretReadPolicy } from "../components/secret-library";
import { record } from "./harness";

// The library's stored secrets, generated passwords and read policies are also covered through
// their users: test/app-secrets.test.ts, test/postgres.test.ts, test/redis.test.ts, test/single-host.test.ts.
describe("secret read policy arguments", () => {
  it("rejects wildcard ARNs at once", async () => {
    await record(() => {
      expect(() => secretReadPolicy({ secretArns: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:*"], kmsKeyArn: "k", region: "eu-west-1" })).toThrow(/without wildcards/);
    });
  });
});
