package corpusgen

import "fmt"

// The Kubernetes objects the Istio objects refer to.

func (g *gen) namespaceObject(ns *namespace) {
	g.doc("Namespace", `apiVersion: v1
kind: Namespace
metadata:
  name: %[1]s
  labels:
    istio-injection: enabled
    team: %[1]s
`, ns.name)
}

func (g *gen) service(a *app) {
	port := `  - name: http
    port: 80
    targetPort: http
`
	if a.database {
		port = `  - name: tcp-postgres
    port: 5432
    targetPort: 5432
`
	}
	g.doc("Service", `apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app: %[1]s
spec:
  selector:
    app: %[1]s
  ports:
%[3]s`, a.name, a.ns, port)
}

func (g *gen) deployment(a *app, version string) {
	ports := `        ports:
        - name: http
          containerPort: 8080
        readinessProbe:
          httpGet:
            path: /ready
            port: http
        livenessProbe:
          httpGet:
            path: /healthz
            port: 8080
`
	image := fmt.Sprintf("registry.example.com/%s/%s:%s", a.ns, a.name, a.version)
	if a.database {
		ports = `        ports:
        - name: postgres
          containerPort: 5432
`
		image = "postgres:16"
	}
	g.doc("Deployment", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s-%[3]s
  namespace: %[2]s
  labels:
    app: %[1]s
    version: %[3]s
spec:
  replicas: %[5]d
  selector:
    matchLabels:
      app: %[1]s
      version: %[3]s
  template:
    metadata:
      labels:
        app: %[1]s
        version: %[3]s
      annotations:
        sidecar.istio.io/inject: "true"
    spec:
      serviceAccountName: %[1]s
      containers:
      - name: %[1]s
        image: %[4]s
        env:
        - name: LOG_LEVEL
          value: info
%[6]s        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            memory: 256Mi
`, a.name, a.ns, version, image, 1+g.rng.IntN(4), ports)
}
