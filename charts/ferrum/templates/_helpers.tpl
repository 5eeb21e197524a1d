{{/*
Shared pieces of every daemon's manifests. The chart keeps to a small subset of Helm's template
language so tests/unit/chart/render.go can render it without helm (Debian has no helm):
define/include/template, if/else/with/range, variables, and the functions default, quote,
toYaml, indent, nindent, dict, list, required, fail, empty, int, int64, join, split,
printf, eq/ne/lt/gt/and/or/not, trimSuffix. Values are float64 numbers, as in Helm: print
large integers with int64.

Most helpers take (dict "root" $ "daemon" "<name>" "cfg" .Values.<key>).
*/}}

{{- define "ferrum.prefix" -}}
{{- default .Release.Name .Values.nameOverride -}}
{{- end -}}

{{- define "ferrum.name" -}}
{{- include "ferrum.prefix" .root }}-{{ .daemon -}}
{{- end -}}

{{- define "ferrum.selectorLabels" -}}
app.kubernetes.io/name: ferrum-{{ .daemon }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "ferrum.labels" -}}
{{ include "ferrum.selectorLabels" . }}
app.kubernetes.io/component: {{ .daemon }}
app.kubernetes.io/part-of: ferrum
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}
{{- end -}}

{{- define "ferrum.image" -}}
{{ .root.Values.image.repository }}/ferrum-{{ .daemon }}:{{ default .root.Chart.AppVersion .root.Values.image.tag }}
{{- end -}}

{{/* The SideroLink installation Secret as <namespace>/<name>, and its two halves. */}}
{{- define "ferrum.linkSecret" -}}
{{- default (printf "%s/siderolink" .Release.Namespace) .Values.linkSecret -}}
{{- end -}}
{{- define "ferrum.linkSecretNamespace" -}}
{{- $parts := split "/" (include "ferrum.linkSecret" .) -}}
{{- if or (empty $parts._0) (empty $parts._1) -}}
{{- fail (printf "linkSecret %q must be <namespace>/<name>" (include "ferrum.linkSecret" .)) -}}
{{- end -}}
{{- $parts._0 -}}
{{- end -}}

{{/* host:port machines use for a service: the explicit endpoint, else <endpoints.api>:<port>. */}}
{{- define "ferrum.endpoint" -}}
{{- if .explicit -}}
{{- .explicit -}}
{{- else -}}
{{- required "endpoints.api is required (the address machines reach Ferrum at)" .root.Values.endpoints.api }}:{{ int64 .port }}
{{- end -}}
{{- end -}}

{{/* Flags every daemon takes. */}}
{{- define "ferrum.commonArgs" -}}
- --admin-listen=0.0.0.0:{{ int64 .cfg.adminPort }}
- --log-format={{ .root.Values.log.format }}
- --log-level={{ .root.Values.log.level }}
{{- range .cfg.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The admin port and the probes on it: /healthz (alive) and /readyz (caches synced). */}}
{{- define "ferrum.adminPort" -}}
- name: admin
  containerPort: {{ int64 .cfg.adminPort }}
  protocol: TCP
{{- end -}}

{{- define "ferrum.probes" -}}
startupProbe:
  httpGet: {path: /healthz, port: admin}
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet: {path: /healthz, port: admin}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /readyz, port: admin}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end -}}

{{/* Pod-level settings shared by every daemon (after spec.template.spec's first key). */}}
{{- define "ferrum.podSpecCommon" -}}
serviceAccountName: {{ include "ferrum.name" . }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
terminationGracePeriodSeconds: 30
{{- with .cfg.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .cfg.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .cfg.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "ferrum.podMetadata" -}}
labels:
  {{- include "ferrum.labels" . | nindent 2 }}
annotations:
  prometheus.io/scrape: "true"
  prometheus.io/port: {{ int64 .cfg.adminPort | quote }}
  prometheus.io/path: /metrics
  {{- with .root.Values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/* Non-root, read-only root file system, no capabilities: every container, unless it needs a
capability (dict "add" (list ...)): Kubernetes grants added capabilities only to root (no
ambient capabilities for other users), so such a container runs as root with just those. */}}
{{- define "ferrum.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
  {{- with .add }}
  add:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- if .add }}
runAsUser: 0
runAsNonRoot: false
{{- end }}
{{- end -}}

{{- define "ferrum.env" -}}
env:
  - name: POD_NAME
    valueFrom: {fieldRef: {fieldPath: metadata.name}}
  - name: POD_NAMESPACE
    valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
  {{- with .cfg.extraEnv }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}

{{- define "ferrum.serviceSpecCommon" -}}
type: {{ .cfg.service.type }}
{{- with .cfg.service.loadBalancerIP }}
loadBalancerIP: {{ . }}
{{- end }}
{{- with .cfg.service.externalIPs }}
externalIPs:
  {{- toYaml . | nindent 2 }}
{{- end }}
selector:
  {{- include "ferrum.selectorLabels" . | nindent 2 }}
{{- end -}}

{{- define "ferrum.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "ferrum.name" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "ferrum.labels" . | nindent 4 }}
{{- end -}}

{{/* A (Cluster)RoleBinding of the daemon's ServiceAccount: dict root daemon kind ns suffix. */}}
{{- define "ferrum.binding" -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: {{ .kind }}Binding
metadata:
  name: {{ include "ferrum.name" . }}{{ .suffix }}
  {{- if .ns }}
  namespace: {{ .ns }}
  {{- end }}
  labels:
    {{- include "ferrum.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {{ .kind }}
  name: {{ include "ferrum.name" . }}{{ .suffix }}
subjects:
  - kind: ServiceAccount
    name: {{ include "ferrum.name" . }}
    namespace: {{ .root.Release.Namespace }}
{{- end -}}
