{{- define "failures.password" -}}
{{- required "A password is required: set .Values.password" .Values.password -}}
{{- end -}}
{{- define "failures.loop" -}}
{{- include "failures.loop" . -}}
{{- end -}}
