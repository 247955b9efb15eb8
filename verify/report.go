package verify

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

// Report is the outcome of one verify run.
type Report struct {
	Target string `json:"target"`
	Mesh   string `json:"mesh,omitempty"`
	// Access holds one entry per destination workload (nil when access was not compared).
	Access []WorkloadReport `json:"access"`
	// Routes holds one entry per Service routed (nil when routing was not compared).
	Routes []ServiceReport `json:"routes"`
	// Assumptions are what the comparison takes for granted, stated in the report's header
	// ("workloads listen only on declared ports").
	Assumptions []string `json:"assumptions,omitempty"`
	// Notes say what was assumed or left out.
	Notes   []string `json:"notes,omitempty"`
	Summary Summary  `json:"summary"`
}

// Summary counts what was checked and what differs. Differences are counted as groups (one
// per Istio verdict, destination verdict and caller), each with an example request.
type Summary struct {
	Workloads     int `json:"workloads"`
	Requests      int `json:"requests"`
	Widened       int `json:"widened"`
	Narrowed      int `json:"narrowed"`
	Services      int `json:"services"`
	RouteRequests int `json:"routeRequests"`
	Rerouted      int `json:"rerouted"`
	// Unreported counts narrowed and rerouted groups that no error or warning finding covers.
	Unreported int `json:"unreported"`
}

// WorkloadReport is what one destination workload's requests showed.
type WorkloadReport struct {
	Workload       string `json:"workload"`
	ServiceAccount string `json:"serviceAccount"`
	Requests       int    `json:"requests"`
	// Widened: the destination allows, Istio denies. Narrowed: the reverse.
	Widened  []*AccessDifference `json:"widened,omitempty"`
	Narrowed []*AccessDifference `json:"narrowed,omitempty"`
}

// AccessDifference is a group of requests Istio and the destination decide differently.
type AccessDifference struct {
	// Example is the first request of the group, concrete enough to replay.
	Example model.Request `json:"example"`
	// Requests is how many request classes fall in the group.
	Requests int               `json:"requests"`
	Istio    semantics.Verdict `json:"istio"`
	Target   semantics.Verdict `json:"target"`
	// ReportedBy lists the error and warning codes the translation reported on the Istio
	// objects behind the workload's access; empty means the difference went unreported.
	ReportedBy []model.Code `json:"reportedBy,omitempty"`
}

// ServiceReport is what one Service's routed requests showed.
type ServiceReport struct {
	Service  string `json:"service"`
	Requests int    `json:"requests"`
	// Skipped counts requests whose Istio outcome is not modelled (delegation, …).
	Skipped  int                `json:"skipped,omitempty"`
	Rerouted []*RouteDifference `json:"rerouted,omitempty"`
}

// RouteDifference is a group of requests Istio and the destination route differently.
type RouteDifference struct {
	Example  semantics.RouteRequest `json:"example"`
	Requests int                    `json:"requests"`
	Istio    semantics.Outcome      `json:"istio"`
	Target   semantics.Outcome      `json:"target"`
	// Reading names the implementation reading under which the destination differs, when the
	// destination's behaviour is implementation-specific.
	Reading    string       `json:"reading,omitempty"`
	ReportedBy []model.Code `json:"reportedBy,omitempty"`
}

func (r *Report) summarize() {
	s := Summary{}
	for _, w := range r.Access {
		s.Workloads++
		s.Requests += w.Requests
		s.Widened += len(w.Widened)
		s.Narrowed += len(w.Narrowed)
		for _, d := range w.Narrowed {
			if len(d.ReportedBy) == 0 {
				s.Unreported++
			}
		}
	}
	for _, sr := range r.Routes {
		s.Services++
		s.RouteRequests += sr.Requests
		s.Rerouted += len(sr.Rerouted)
		for _, d := range sr.Rerouted {
			if len(d.ReportedBy) == 0 {
				s.Unreported++
			}
		}
	}
	r.Summary = s
}

// FailLevels are the values of --fail-on.
var FailLevels = []string{"widened", "unreported", "any", "never"}

// Fails reports whether the report fails at level: widened (any widened request), unreported
// (also a narrowed or rerouted request no finding reported), any (any difference), never.
func (r *Report) Fails(level string) bool {
	s := r.Summary
	switch level {
	case "never":
		return false
	case "any":
		return s.Widened+s.Narrowed+s.Rerouted > 0
	case "unreported":
		return s.Widened+s.Unreported > 0
	}
	return s.Widened > 0
}

// DescribeRequest renders an access request for people: "GET /admin from
// cluster.local/ns/shop/sa/frontend (192.0.2.1) to port 8080 [x-user: jason]".
func DescribeRequest(r model.Request) string {
	var b strings.Builder
	if r.TCP {
		b.WriteString("TCP connection")
	} else {
		fmt.Fprintf(&b, "%s %s", r.Method, r.Path)
	}
	from := r.Principal
	if from == "" {
		from = "a caller without mTLS"
	}
	fmt.Fprintf(&b, " from %s", from)
	if r.SourceIP != "" {
		fmt.Fprintf(&b, " (%s", r.SourceIP)
		if r.RemoteIP != "" && r.RemoteIP != r.SourceIP {
			fmt.Fprintf(&b, ", remote %s", r.RemoteIP)
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, " to port %d", r.Port)
	if r.Host != "" && !r.TCP {
		fmt.Fprintf(&b, " host %s", r.Host)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
		fmt.Fprintf(&b, " [%s: %s]", k, r.Headers[k])
	}
	if r.RequestPrincipal != "" {
		fmt.Fprintf(&b, " with JWT %s", r.RequestPrincipal)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Claims)) {
		fmt.Fprintf(&b, " [claim %s: %s]", k, strings.Join(r.Claims[k], ","))
	}
	if r.SNI != "" {
		fmt.Fprintf(&b, " SNI %s", r.SNI)
	}
	if r.DestinationIP != "" {
		fmt.Fprintf(&b, " to address %s", r.DestinationIP)
	}
	return b.String()
}
