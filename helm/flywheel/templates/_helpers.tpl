{{/* The release's full name, used for every object of the chart. */}}
{{- define "flywheel.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "flywheel.labels" -}}
app.kubernetes.io/name: flywheel-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: flywheel
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Labels that select the operator pods. */}}
{{- define "flywheel.selectorLabels" -}}
app.kubernetes.io/name: flywheel-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "flywheel.serviceAccountName" -}}
{{- if .Values.serviceAccount.name -}}{{ .Values.serviceAccount.name }}{{- else -}}{{ include "flywheel.fullname" . }}{{- end -}}
{{- end -}}

{{/* Rights on namespaced resources, exactly what the reconcilers call (operator/README.md lists why). */}}
{{- define "flywheel.namespacedRules" -}}
- apiGroups: ["mlops.flywheel.dev"]
  resources: ["trainingjobs"]
  verbs: ["get", "list", "watch", "create", "patch", "update"]
- apiGroups: ["mlops.flywheel.dev"]
  resources: ["modelversions"]
  verbs: ["get", "list", "watch", "create", "patch", "update"]
- apiGroups: ["mlops.flywheel.dev"]
  resources: ["modeldeployments"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["mlops.flywheel.dev"]
  resources: ["trainingjobs/status", "modelversions/status", "modeldeployments/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["mlops.flywheel.dev"]
  resources: ["trainingjobs/finalizers", "modelversions/finalizers", "modeldeployments/finalizers"]
  verbs: ["update"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
- apiGroups: ["monitoring.coreos.com"]
  resources: ["podmonitors"]
  verbs: ["get", "create", "update", "delete"]
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["get", "create", "update", "delete"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["get", "create", "update"]
{{- end -}}

{{/* Rights on cluster-scoped resources. */}}
{{- define "flywheel.clusterRules" -}}
- apiGroups: ["mlops.flywheel.dev"]
  resources: ["sites"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["mlops.flywheel.dev"]
  resources: ["sites/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["list", "watch"]
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  verbs: ["get"]
{{- end -}}
