/** The Pulumi project name: the config namespace (`webapp-platform:<key>`) and the prefix of component type tokens. */
export const PROJECT = "webapp-platform";
