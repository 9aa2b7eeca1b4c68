package cost

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/config"
	osl "github.com/orgnotify/orgnotify/internal/slack"
)

var update = flag.Bool("update", false, "rewrite golden files")

func testOrg() *config.Org {
	o := &config.Org{}
	o.Slack.DefaultChannel = "C0PLATFORM"
	o.Cost.CurrencyRates = map[string]float64{"JPY": 150, "EUR": 0.92}
	return o
}

// fixture is a plan and data built by hand: 14 days of an account in JPY
// with two services, a credit, and an estimated report day.
func fixture(th *config.Thresholds) (Plan, *Data) {
	a := account("345678901234", Daily)
	a.Name, a.Owner.Team, a.Cost.Currency, a.Cost.Thresholds = "payments-prod", "payments", "JPY", th
	a.Cost.TopServices = 2
	d := day("2026-11-20")
	p := NewPlan([]*config.Account{a}, d, d)
	data := newData()
	for i := 0; i < 14; i++ {
		t := d.AddDate(0, 0, -i)
		data.add(PurposeDays, Row{Start: t, Account: a.ID, Amount: 100 + float64(i), Unit: "USD"})
	}
	data.add(PurposeDays, Row{Start: d, Account: a.ID, Amount: 60}) // the day jumps to 160
	data.add(PurposeMonthToDate, Row{Start: day("2026-11-01"), Account: a.ID, Amount: 2400})
	data.add(PurposeLastMonthToDate, Row{Start: day("2026-10-01"), Account: a.ID, Amount: 2000})
	data.add(PurposeServices, Row{Start: d, Account: a.ID, Service: "Amazon Elastic Compute Cloud - Compute", Amount: 120})
	data.add(PurposeServices, Row{Start: d, Account: a.ID, Service: "AWS Lambda", Amount: 45})
	data.add(PurposeServices, Row{Start: d, Account: a.ID, Service: "Tax", Amount: -5})
	data.add(PurposeServices, Row{Start: d.AddDate(0, 0, -1), Account: a.ID, Service: "Amazon Elastic Compute Cloud - Compute", Amount: 80})
	data.add(PurposeCredits, Row{Start: d, Account: a.ID, Amount: -5})
	data.estimated[d] = true
	return p, data
}

func TestReportFigures(t *testing.T) {
	p, data := fixture(nil)
	rs, err := Reports(testOrg(), p, data)
	if err != nil {
		t.Fatal(err)
	}
	j := rs[0].ToJSON()
	// 160 USD, 101 the day before, (101+...+107)/7 = 104, all at 150 JPY/USD.
	if j.Total != 24000 || j.Previous != 15150 || *j.Average7d != 15600 || j.MonthToDate != 360000 || j.MonthToDateLastMonth != 300000 {
		t.Errorf("figures = %+v", j)
	}
	if len(j.TopServices) != 2 || j.TopServices[0] != (JSONService{"Amazon Elastic Compute Cloud - Compute", 18000, 12000}) || j.TopServices[1] != (JSONService{"AWS Lambda", 6750, 0}) {
		t.Errorf("top services = %+v", j.TopServices)
	}
	if rs[0].Credits != -750 || !rs[0].Estimated {
		t.Errorf("credits %v estimated %v", rs[0].Credits, rs[0].Estimated)
	}
}

func TestReportAlerts(t *testing.T) {
	for _, tc := range []struct {
		name string
		th   *config.Thresholds
		want []string
	}{
		{"none", nil, nil},
		{"under", &config.Thresholds{Daily: 24000, MonthToDate: 360000, DayOverDayPercent: 60}, nil},
		{"daily", &config.Thresholds{Daily: 23999}, []string{"Daily cost ¥24,000 is above the threshold ¥23,999 (estimated: Cost Explorer may still revise it)"}},
		{"month", &config.Thresholds{MonthToDate: 300000}, []string{"Month to date ¥360,000 is above the threshold ¥300,000 (estimated: Cost Explorer may still revise it)"}},
		{"day over day", &config.Thresholds{DayOverDayPercent: 50}, []string{"Day over day +58.4% (¥15,150 → ¥24,000) is above the threshold 50% (estimated: Cost Explorer may still revise it)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, data := fixture(tc.th)
			rs, err := Reports(testOrg(), p, data)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rs[0].Alerts, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("alerts = %q, want %q", rs[0].Alerts, tc.want)
			}
		})
	}
}

func TestReportMissingRate(t *testing.T) {
	p, data := fixture(nil)
	p.Accounts[0].Cost.Currency = "GBP"
	p.Accounts[0].File = "accounts/payments-prod.yaml"
	_, err := Reports(testOrg(), p, data)
	if err == nil || !strings.Contains(err.Error(), "accounts/payments-prod.yaml: cost.currency GBP has no rate") {
		t.Fatalf("err = %v", err)
	}
}

// TestMessageGolden renders the account message and the summary as text
// (what the dry run and the PR preview show).
func TestMessageGolden(t *testing.T) {
	p, data := fixture(&config.Thresholds{Daily: 20000, DayOverDayPercent: 30})
	f := 400000.0
	rs, err := Reports(testOrg(), p, data)
	if err != nil {
		t.Fatal(err)
	}
	rs[0].Forecast = &f
	var b strings.Builder
	for _, m := range rs[0].Messages() {
		if err := m.Validate(); err != nil {
			t.Fatal(err)
		}
		b.WriteString(osl.Render(m) + "\n")
	}
	s := Summarize(testOrg(), p.Date, rs)
	b.WriteString(osl.Render(s.Message()))
	golden(t, "message.golden", b.String())
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", name, got)
	}
}

// TestMessageWithinSlackLimits feeds the renderer the largest inputs the
// schema allows and more: the message must stay valid.
func TestMessageWithinSlackLimits(t *testing.T) {
	p, data := fixture(&config.Thresholds{Daily: 1, MonthToDate: 1, DayOverDayPercent: 1})
	a := p.Accounts[0]
	a.Name = strings.Repeat("n", 200)
	a.Owner.Team = strings.Repeat("<team>", 100)
	a.Cost.TopServices = 100
	for i := range 100 {
		data.add(PurposeServices, Row{Start: p.Date, Account: a.ID, Service: strings.Repeat("S", 300) + string(rune('a'+i%26)), Amount: float64(i)})
	}
	rs, err := Reports(testOrg(), p, data)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range rs[0].Messages() {
		if err := m.Validate(); err != nil {
			t.Errorf("%v", err)
		}
	}
}

func TestSummary(t *testing.T) {
	p, data := fixture(&config.Thresholds{Daily: 1})
	rs, _ := Reports(testOrg(), p, data)
	s := Summarize(testOrg(), p.Date, rs)
	if s.Total != 160 || s.Previous != 101 || s.Accounts != 1 || s.Alerts != 1 || s.Currency != "USD" || len(s.Movers) != 1 {
		t.Errorf("summary = %+v", s)
	}
	if m := s.Message(); m.Channel != "C0PLATFORM" || m.Metadata.EventPayload["account"] != OrganizationKey || !m.Once.Since.Equal(p.Date.AddDate(0, 0, 1)) {
		t.Errorf("summary message = %+v", m)
	}
}
