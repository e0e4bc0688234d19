/** The field table: every resource type the program creates, by service. */
import { FieldTable } from "../rules";
import { DATA } from "./data";
import { EDGE } from "./edge";
import { LOAD_BALANCING } from "./load-balancing";
import { NETWORK } from "./network";
import { OPERATIONS } from "./operations";

export const FIELD_TABLE: FieldTable = {
  ...NETWORK,
  ...LOAD_BALANCING,
  ...DATA,
  ...EDGE,
  ...OPERATIONS,
};
