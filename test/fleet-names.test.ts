/**
 * Every name a fleet's load balancer serves reaches hosts that answer it: for each Python fleet
 * app (Django checks Host against ALLOWED_HOSTS, nginx against server_name), every name on its
 * HTTPS listener's certificate is in both. The rehearsal found the spa-api hosts answering only
 * the SPA's name while the ALB served the API's, so every API request got a 400.
 */
import { recordStack, Recording } from "./harness";
import { decodeUserData } from "../components/hostconfig";

const parentName = (p?: string) => (p ? p.slice(p.lastIndexOf("::") + 2) : "");

describe.each(["staging", "prod"])("%s: fleet hosts answer every name their load balancer serves", (stack) => {
  let rec: Recording;
  beforeAll(async () => { rec = await recordStack(stack); }, 60000);

  test("ALLOWED_HOSTS and server_name cover the listener certificate's names", () => {
    const checked: string[] = [];
    for (const lt of rec.ofType("aws:ec2/launchTemplate:LaunchTemplate")) {
      const app = parentName(lt.parent);
      const text = decodeUserData(lt.inputs.userData).text;
      if (/kind: compose|docker compose/.test(text) && !/venv\/bin\/gunicorn/.test(text)) continue; // containers: the images decide
      // Before an external-DNS certificate is validated there is no HTTPS listener yet: the ALB's
      // own certificate names what it will serve.
      const listener = rec.ofType("aws:lb/listener:Listener").find((l) => parentName(l.parent) === app && l.inputs.port === 443);
      const cert = listener
        ? rec.ofType("aws:acm/certificate:Certificate").find((c) => c.outputs.arn === listener.inputs.certificateArn)!
        : rec.one("aws:acm/certificate:Certificate", `${app}-cert-cert`);
      const names: string[] = [cert.inputs.domainName, ...(cert.inputs.subjectAlternativeNames ?? [])];
      const allowed = (/ALLOWED_HOSTS='([^']*)'/.exec(text)?.[1] ?? "").split(",");
      const serverNames = [...text.matchAll(/server_name ([^;]+);/g)].flatMap((m) => m[1].split(/\s+/));
      for (const n of names) {
        expect({ app, name: n, inAllowedHosts: allowed.includes(n), inServerName: serverNames.includes(n) }).toEqual({ app, name: n, inAllowedHosts: true, inServerName: true });
      }
      checked.push(app);
    }
    expect(checked.sort()).toEqual(["avanii-shop", "investment-platform"]);
  });
});
