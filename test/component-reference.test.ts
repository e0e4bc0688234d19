/** docs/components.md is generated from the components' own args and outputs, and kept current. */
import * as fs from "fs";
import { REFERENCE_FILE, collectComponents, renderComponentReference, statedDefault } from "../tools/component-reference";

describe("the component reference", () => {
  const docs = collectComponents();

  it("is current (npm run docs:components regenerates it)", () => {
    expect(fs.readFileSync(REFERENCE_FILE, "utf8").split("\n")).toEqual(renderComponentReference(docs).split("\n"));
  });

  it("covers every component with its inputs and outputs, and every optional input states its default", () => {
    const names = docs.map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(["Network", "Postgres", "AppFleet", "StaticSite", "WebFleetApp", "SingleHostApp", "SecurityTiers"]));
    const network = docs.find((d) => d.name === "Network")!;
    expect(network.inputs.find((i) => i.name === "cidr")).toMatchObject({ required: true });
    expect(network.outputs.map((o) => o.name)).toContain("vpcId");
    expect(docs.flatMap((d) => d.inputs.filter((i) => !i.required && i.default === undefined).map((i) => `${d.name}.${i.name}`))).toEqual([]);
  });

  it("reads a default from an @default tag or the doc's Default sentence", () => {
    expect(statedDefault("Hop limit.", { default: "1" })).toBe("1");
    expect(statedDefault("Instances: min / desired / max. Default: the profile (staging 1/1/2, prod 2/2/6).", {})).toBe("the profile (staging 1/1/2, prod 2/2/6)");
    expect(statedDefault("Port. Default 5432.", {})).toBe("5432");
    expect(statedDefault("EC2 instance type. Required unless `platform` is set.", {})).toBe("required unless `platform` is set");
    expect(statedDefault("No default here.", {})).toBeUndefined();
  });
});
