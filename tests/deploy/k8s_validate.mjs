// Validates deploy/k8s/*.yaml offline: every document against the Kubernetes API schemas
// (kubernetes-models: types, required fields, enums; unknown fields are not caught, which
// the toonbox checks below make up for on the fields that matter), then what toonbox
// needs from them: probes on its /health routes, a GPU request, a grace period longer
// than the drain, the Indexed Job's shard count equal to its completions, the HPA on a
// metric the server exports, flags the binary accepts. Exit 77 when the schemas are not
// installed (npm install in tests/deploy).
// usage: node k8s_validate.mjs REPO_ROOT TOONBOX_BINARY
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

let yaml;
try {
  yaml = (await import("js-yaml")).default;
  await import("kubernetes-models/v1");
} catch (e) {
  console.log("SKIP: schemas not installed (cd tests/deploy && npm install --ignore-scripts): " + e.message);
  process.exit(77);
}
const [repo, toonbox] = process.argv.slice(2);
let passed = 0, failed = 0;
const ok = (what) => { passed++; console.log("ok   - " + what); };
const bad = (what) => { failed++; console.log("FAIL - " + what); };
const check = (cond, what) => (cond ? ok(what) : bad(what));

async function model(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const path = group === "monitoring.coreos.com" ? `@kubernetes-models/prometheus-operator/${apiVersion}`
             : group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${apiVersion}`;
  const mod = await import(path);
  if (!mod[kind]) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return mod[kind];
}
async function validate(doc) {
  const Model = await model(doc.apiVersion, doc.kind);
  new Model(doc).validate();  // throws with the failing path
}

// The validator must be able to fail: a known-bad document is refused.
try {
  await validate({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" },
                   spec: { replicas: "two", selector: {}, template: {} } });
  bad("the schema validator refuses replicas: \"two\"");
} catch (e) { ok("the schema validator refuses a bad document (" + e.message.slice(0, 60) + ")"); }

const dir = join(repo, "deploy/k8s");
const docs = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
  for (const doc of yaml.loadAll(readFileSync(join(dir, file), "utf8"))) {
    if (!doc) continue;
    docs.push({ file, doc });
    try { await validate(doc); ok(`${file}: ${doc.kind} ${doc.metadata.name} matches the ${doc.apiVersion} schema`); }
    catch (e) { bad(`${file}: ${doc.kind} ${doc.metadata?.name}: ${e.message}`); }
  }
}
const find = (kind, name) => docs.find((d) => d.doc.kind === kind && (!name || d.doc.metadata.name === name))?.doc;
const flag = (args, name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const help = (cmd) => execFileSync(toonbox, [cmd, "--help"], { encoding: "utf8" });
const flagsKnown = (args, cmd) => {
  const text = help(cmd);
  const unknown = args.filter((a) => a.startsWith("--") && !text.includes(a));
  return unknown.length ? unknown.join(" ") : "";
};

// The folder Job.
const job = find("Job");
check(job, "a Job for folders");
if (job) {
  const spec = job.spec, pod = spec.template.spec, c = pod.containers[0];
  check(spec.completionMode === "Indexed", "the Job is Indexed");
  const count = c.env.find((e) => e.name === "TOONBOX_SHARD_COUNT")?.value;
  check(count === String(spec.completions), `TOONBOX_SHARD_COUNT (${count}) equals completions (${spec.completions})`);
  check(c.args[0] === "cartoonize" && c.args.includes("--skip-existing"), "each shard resumes (--skip-existing)");
  const unknown = flagsKnown(c.args, "cartoonize");
  check(!unknown, "toonbox cartoonize accepts every flag of the Job" + (unknown ? ": not " + unknown : ""));
  check(c.resources.limits["nvidia.com/gpu"] >= 1, "the Job's pods request a GPU");
  const mounts = c.volumeMounts.map((m) => m.mountPath);
  check(mounts.some((m) => c.args[1].startsWith(m)) && mounts.some((m) => flag(c.args, "-o").startsWith(m)),
        "input and output folders are on mounted volumes");
}

// The server.
const dep = find("Deployment", "toonbox-server");
check(dep, "a Deployment for the server");
if (dep) {
  const pod = dep.spec.template.spec, c = pod.containers[0];
  check(c.readinessProbe?.httpGet?.path === "/health/ready", "readiness on /health/ready");
  check(c.livenessProbe?.httpGet?.path === "/health/live", "liveness on /health/live");
  check(c.resources?.limits?.["nvidia.com/gpu"] >= 1, "each replica requests nvidia.com/gpu");
  const timeout = Number(flag(c.args, "--request-timeout-s", "120"));
  const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
  check(pod.terminationGracePeriodSeconds > timeout + preStop,
        `grace period ${pod.terminationGracePeriodSeconds} s > drain (request timeout ${timeout} s + preStop ${preStop} s)`);
  check(String(c.ports[0].containerPort) === flag(c.args, "--port"), "the container port is the one serve listens on");
  check(flag(c.args, "--host") === "0.0.0.0" && c.env.some((e) => e.name === "TOONBOX_TOKEN"),
        "listens beyond loopback, with the token from a Secret");
  const unknown = flagsKnown(c.args, "serve");
  check(!unknown, "toonbox serve accepts every flag of the Deployment" + (unknown ? ": not " + unknown : ""));
  const svc = find("Service");
  const labels = dep.spec.template.metadata.labels;
  check(svc && Object.entries(svc.spec.selector).every(([k, v]) => labels[k] === v), "the Service selects the server pods");
  check(svc && c.ports.some((p) => p.name === svc.spec.ports[0].targetPort), "the Service's targetPort names a container port");
  const hpa = find("HorizontalPodAutoscaler");
  check(hpa?.spec.scaleTargetRef.name === dep.metadata.name, "the HPA scales the server Deployment");
  const metric = hpa?.spec.metrics[0].pods?.metric.name;
  const exported = readFileSync(join(repo, "src/server/metrics.cc"), "utf8");
  check(Boolean(metric) && exported.includes(`gauge("${metric}"`), `the HPA's metric ${metric} is a gauge the server exports`);
  const adapter = find("ConfigMap");
  const rules = adapter ? yaml.load(adapter.data["config.yaml"]).rules : [];
  check(rules.some((r) => r.seriesQuery.includes(metric) && r.name.as === metric), "the adapter rule serves that metric");
  const monitor = find("PodMonitor");
  check(monitor && monitor.spec.podMetricsEndpoints[0].path === "/metrics" &&
        monitor.spec.podMetricsEndpoints[0].authorization?.credentials?.name ===
            c.env.find((e) => e.name === "TOONBOX_TOKEN").valueFrom.secretKeyRef.name,
        "Prometheus scrapes /metrics with the servers' token");
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
