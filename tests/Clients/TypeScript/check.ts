// Code that uses the types generated from docs/api/openapi.json (schema.d.ts, written by `npm run generate`).
// `tsc --noEmit` compiling it is the check: an operation renamed or a field reshaped in the contract fails here.
import type { components, operations, paths } from "./schema";

type Schemas = components["schemas"];
type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
/** The JSON body an operation takes. */
type Body<O extends keyof operations> = Json<NonNullable<operations[O]["requestBody"]>>;
/** The JSON an operation answers with this status. */
type Answer<O extends keyof operations, S extends keyof operations[O]["responses"]> = Json<operations[O]["responses"][S]>;

/** One typed call: the path's placeholders filled in, the body of the operation's type, its answer of the status asked for. */
async function call<O extends keyof operations, S extends keyof operations[O]["responses"] & number>(
  base: string, token: string | null, method: "GET" | "POST", path: keyof paths, values: Record<string, string>,
  _operation: O, status: S, body?: Body<O>): Promise<Answer<O, S>> {
  const url = base + String(path).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ""));
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token !== null) headers["Authorization"] = `Bearer ${token}`;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(url, init);
  if (response.status !== status) {
    const problem = (await response.json()) as Schemas["ProblemDetails"];
    throw new Error(`${response.status} ${problem.title ?? ""}`);
  }
  return (await response.json()) as Answer<O, S>;
}

/** Signs up, takes a token, deploys an application and answers its state and its last log line. */
export async function deployAndWatch(base: string, email: string, password: string, repository: string): Promise<[string, string | null]> {
  const register: Body<"registerUser"> = { email, password, first_name: "Ada", last_name: "Lovelace", referral_code: null };
  await call(base, null, "POST", "/api/auth/register", {}, "registerUser", 201, register);
  const issued = await call(base, null, "POST", "/api/auth/token", {}, "createAuthToken", 201, { email, password, name: "check" });
  const token: string = issued.token;

  const organization = await call(base, token, "POST", "/api/organization", {}, "createOrganization", 201, { name: "acme", description: null });
  const project = await call(base, token, "POST", "/api/organization/{id}/project", { id: organization.id }, "createProject", 201, { name: "shop", description: null });
  const environment = await call(base, token, "POST", "/api/project/{id}/environment", { id: project.id }, "createEnvironment", 201,
    { name: "dev", mode: "DEVELOPMENT", cluster_id: null });
  const input: Schemas["ApplicationInput"] = {
    name: "web",
    git_repository: { url: repository, branch: "main", root_path: "/" },
    build_command: null,
    start_command: "python3 app.py",
    port: 8080,
    cpu: 0.5,
    memory: 64,
    min_running_instances: 1,
    max_running_instances: 1,
    auto_deploy: false,
    healthchecks: null,
  };
  const application = await call(base, token, "POST", "/api/environment/{id}/application", { id: environment.id }, "createApplication", 201, input);
  const deployment: Answer<"deployApplication", 202> = await call(base, token, "POST", "/api/application/{id}/deploy", { id: application.id },
    "deployApplication", 202);

  const status = await call(base, token, "GET", "/api/application/{id}/status", { id: application.id }, "getApplicationStatus", 200);
  const simple: Schemas["SimpleState"] = status.status.simple_state;
  const logs = await call(base, token, "GET", "/api/application/{id}/log", { id: application.id }, "listApplicationLogs", 200);
  const stream: Schemas["LogStream"] | undefined = logs.results[0]?.stream;
  const deployments = await call(base, token, "GET", "/api/environment/{id}/deployment", { id: deployment.environment_id },
    "listEnvironmentDeployments", 200);
  return [`${status.status.state} (${simple}, ${deployments.results.length} deployments, ${stream ?? "no"} output)`, logs.results[0]?.message ?? null];
}
