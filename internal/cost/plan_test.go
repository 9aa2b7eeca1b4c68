package cost

import (
	"fmt"
	"testing"
	"time"

	"github.com/orgnotify/orgnotify/internal/config"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func account(id, granularity string, tags ...config.TagFilter) *config.Account {
	return &config.Account{ID: id, Name: "acct-" + id, Slack: config.Slack{Channels: []string{"C0000000" + id[len(id)-1:]}},
		Cost: &config.Cost{Currency: "USD", Granularity: granularity, Metric: "UnblendedCost", TopServices: 5, Tags: tags}}
}

func summarize(p Plan) []string {
	var out []string
	for _, q := range p.Queries {
		out = append(out, fmt.Sprintf("%s %s %s..%s n=%d svc=%v", q.Purpose, q.Granularity, q.Start.Format(time.DateOnly), q.End.Format(time.DateOnly), len(q.Accounts), q.ByService))
	}
	return out
}

func TestPlan(t *testing.T) {
	team := config.TagFilter{Key: "team", Values: []string{"b", "a"}}
	teamSwapped := config.TagFilter{Key: "team", Values: []string{"a", "b"}}
	accounts := []*config.Account{
		account("100000000001", Daily), account("100000000002", Daily),
		account("100000000003", Daily, team), account("100000000004", Daily, teamSwapped),
		account("100000000005", Monthly),
	}
	disabled := account("100000000006", Daily)
	off := false
	disabled.Cost.Enabled = &off
	accounts = append(accounts, disabled, &config.Account{ID: "100000000007"})

	for _, tc := range []struct {
		day  string
		want []string
	}{
		{"2026-11-20", []string{
			"days DAILY 2026-11-07..2026-11-21 n=2 svc=false",
			"month-to-date MONTHLY 2026-11-01..2026-11-21 n=2 svc=false",
			"last-month-to-date MONTHLY 2026-10-01..2026-10-21 n=2 svc=false",
			"services DAILY 2026-11-19..2026-11-21 n=2 svc=true",
			"credits DAILY 2026-11-20..2026-11-21 n=2 svc=false",
			// the two tag filters are the same filter: one set of queries
			"days DAILY 2026-11-07..2026-11-21 n=2 svc=false",
			"month-to-date MONTHLY 2026-11-01..2026-11-21 n=2 svc=false",
			"last-month-to-date MONTHLY 2026-10-01..2026-10-21 n=2 svc=false",
			"services DAILY 2026-11-19..2026-11-21 n=2 svc=true",
			"credits DAILY 2026-11-20..2026-11-21 n=2 svc=false",
		}},
		{"2026-03-10", []string{ // month to date within the 14 days: no query
			"days DAILY 2026-02-25..2026-03-11 n=2 svc=false",
			"last-month-to-date MONTHLY 2026-02-01..2026-02-11 n=2 svc=false",
			"services DAILY 2026-03-09..2026-03-11 n=2 svc=true",
			"credits DAILY 2026-03-10..2026-03-11 n=2 svc=false",
			"days DAILY 2026-02-25..2026-03-11 n=2 svc=false",
			"last-month-to-date MONTHLY 2026-02-01..2026-02-11 n=2 svc=false",
			"services DAILY 2026-03-09..2026-03-11 n=2 svc=true",
			"credits DAILY 2026-03-10..2026-03-11 n=2 svc=false",
		}},
		{"2026-03-31", []string{ // last month's same point is 28 February; MONTHLY due
			"days DAILY 2026-03-18..2026-04-01 n=2 svc=false",
			"month-to-date MONTHLY 2026-03-01..2026-04-01 n=2 svc=false",
			"last-month-to-date MONTHLY 2026-02-01..2026-03-01 n=2 svc=false",
			"services DAILY 2026-03-30..2026-04-01 n=2 svc=true",
			"credits DAILY 2026-03-31..2026-04-01 n=2 svc=false",
			"months MONTHLY 2026-02-01..2026-04-01 n=1 svc=true",
			"credits MONTHLY 2026-03-01..2026-04-01 n=1 svc=false",
			"days DAILY 2026-03-18..2026-04-01 n=2 svc=false",
			"month-to-date MONTHLY 2026-03-01..2026-04-01 n=2 svc=false",
			"last-month-to-date MONTHLY 2026-02-01..2026-03-01 n=2 svc=false",
			"services DAILY 2026-03-30..2026-04-01 n=2 svc=true",
			"credits DAILY 2026-03-31..2026-04-01 n=2 svc=false",
		}},
	} {
		t.Run(tc.day, func(t *testing.T) {
			got := summarize(NewPlan(accounts, day(tc.day), day(tc.day)))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("queries:\n%s\nwant:\n%s", join(got), join(tc.want))
			}
		})
	}
}

func join(s []string) string {
	out := ""
	for _, l := range s {
		out += "  " + l + "\n"
	}
	return out
}

// TestPlanGrowsWithGroupsNotAccounts checks the number of queries: constant
// per filter, split only every MaxAccountsPerQuery accounts.
func TestPlanGrowsWithGroupsNotAccounts(t *testing.T) {
	for _, n := range []int{1, 999, 1000, 1001, 5000} {
		var accounts []*config.Account
		for i := range n {
			accounts = append(accounts, account(fmt.Sprintf("1%011d", i), Daily))
		}
		p := NewPlan(accounts, day("2026-11-20"), day("2026-11-20"))
		chunks := (n + MaxAccountsPerQuery - 1) / MaxAccountsPerQuery
		if len(p.Queries) != 5*chunks {
			t.Errorf("%d accounts: %d queries, want %d", n, len(p.Queries), 5*chunks)
		}
	}
}

func TestPlanForecasts(t *testing.T) {
	withThreshold := account("100000000001", Daily)
	withThreshold.Cost.Thresholds = &config.Thresholds{MonthToDate: 100}
	daily := account("100000000002", Daily)
	daily.Cost.Thresholds = &config.Thresholds{Daily: 10}
	accounts := []*config.Account{withThreshold, daily}
	for _, tc := range []struct {
		day, now string
		want     int
	}{
		{"2026-11-20", "2026-11-21", 1}, // yesterday: forecast the rest of the month
		{"2026-11-20", "2026-11-25", 0}, // an older day: Cost Explorer forecasts from today only
		{"2026-11-30", "2026-12-01", 0}, // the month is over
	} {
		p := NewPlan(accounts, day(tc.day), day(tc.now).Add(6*time.Hour))
		if len(p.Forecasts) != tc.want {
			t.Errorf("%s at %s: %d forecasts, want %d", tc.day, tc.now, len(p.Forecasts), tc.want)
			continue
		}
		if tc.want == 1 {
			f := p.Forecasts[0]
			if f.Account != "100000000001" || !f.Start.Equal(day("2026-11-21")) || !f.End.Equal(day("2026-12-01")) {
				t.Errorf("forecast = %+v", f)
			}
		}
	}
}
