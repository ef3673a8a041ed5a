{{- define "lib.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "lib.labels" -}}
app: {{ .Chart.Name }}
env: {{ .Values.global.env }}
{{- end -}}
