package config

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestDefaultsMatchSchema: applyDefaults repeats the schemas' "default"s in
// Go, where they read as typed values; the reference and editor hovers show
// the schemas' own. Both must say the same, and no default may be missing.
func TestDefaultsMatchSchema(t *testing.T) {
	set, err := schemas()
	if err != nil {
		t.Fatal(err)
	}
	var org Org
	org.applyDefaults()
	acc := Account{Cost: &Cost{}, Events: &Events{
		StackFailures: &StackFailures{}, GuardDuty: &GuardDuty{}, SecurityHub: &SecurityHub{},
		Config: &ConfigRules{}, Health: &Health{}, RDS: &RDS{},
	}}
	acc.applyDefaults(nil)
	for _, tc := range []struct {
		cs   *compiledSchema
		inGo map[string]any
	}{
		{set.org, map[string]any{
			"organizationsRegion":         org.OrganizationsRegion,
			"cost.metric":                 org.Cost.Metric,
			"limits.maxDeletionsPerApply": org.Limits.MaxDeletionsPerApply,
		}},
		{set.account, map[string]any{
			"cost.enabled":                      acc.Cost.Enabled,
			"cost.currency":                     acc.Cost.Currency,
			"cost.granularity":                  acc.Cost.Granularity,
			"cost.topServices":                  acc.Cost.TopServices,
			"events.stackFailures.statuses":     acc.Events.StackFailures.Statuses,
			"events.guardDuty.minSeverity":      acc.Events.GuardDuty.MinSeverity,
			"events.securityHub.severities":     acc.Events.SecurityHub.Severities,
			"events.config.complianceTypes":     acc.Events.Config.ComplianceTypes,
			"events.health.eventTypeCategories": acc.Events.Health.EventTypeCategories,
			"events.rds.eventCategories":        acc.Events.RDS.EventCategories,
		}},
	} {
		t.Run(tc.cs.name, func(t *testing.T) {
			schemaDefaults := map[string]any{}
			collectDefaults(tc.cs.sch, "", schemaDefaults)
			for path, def := range schemaDefaults {
				got, ok := tc.inGo[path]
				if !ok {
					t.Errorf("%s: the schema's default %s is not applied in Go", path, jsonText(t, def))
					continue
				}
				if g, w := jsonText(t, got), jsonText(t, def); g != w {
					t.Errorf("%s: Go default %s, schema default %s", path, g, w)
				}
			}
			for path := range tc.inGo {
				if _, ok := schemaDefaults[path]; !ok {
					t.Errorf("%s: defaulted in Go but the schema documents no default", path)
				}
			}
		})
	}
}

// collectDefaults maps the dotted path of every property with a "default"
// to it. Array items carry no defaults in orgnotify's schemas.
func collectDefaults(s *jsonschema.Schema, path string, out map[string]any) {
	for s.Ref != nil && len(s.Properties) == 0 {
		s = s.Ref
	}
	for name, p := range s.Properties {
		full := strings.TrimPrefix(path+"."+name, ".")
		if p.Default != nil {
			out[full] = *p.Default
		}
		collectDefaults(p, full, out)
	}
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
