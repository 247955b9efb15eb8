package main

import (
	"fmt"
	"net/http"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// families reads the controller's metrics page with Prometheus' own text parser.
func families(url string) (map[string]*dto.MetricFamily, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(resp.Body)
}

// value is a counter's, gauge's or untyped sample's value.
func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return 0
}

// scrape sums each series of the controller's metrics page over its labels; a histogram or
// summary x gives x_sum and x_count, as its text lines are named.
func scrape(url string) (map[string]float64, error) {
	fams, err := families(url)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.Metric {
			switch {
			case m.Histogram != nil:
				out[name+"_sum"] += m.Histogram.GetSampleSum()
				out[name+"_count"] += float64(m.Histogram.GetSampleCount())
			case m.Summary != nil:
				out[name+"_sum"] += m.Summary.GetSampleSum()
				out[name+"_count"] += float64(m.Summary.GetSampleCount())
			default:
				out[name] += value(m)
			}
		}
	}
	return out, nil
}

// requestsByMethod sums client-go's rest_client_requests_total of the controller by method.
func requestsByMethod(url string) (map[string]float64, error) {
	fams, err := families(url)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	if f, ok := fams["rest_client_requests_total"]; ok {
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if l.GetName() == "method" {
					out[l.GetValue()] += value(m)
				}
			}
		}
	}
	return out, nil
}
