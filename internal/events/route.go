package events

import (
	"slices"
	"strings"

	"github.com/orgnotify/orgnotify/internal/config"
)

// Router decides, from the validated configuration, whether an event is
// posted and to which channels.
type Router struct {
	org      *config.Org
	accounts map[string]*config.Account
}

// NewRouter indexes the accounts by ID. org must be valid (config.Validate
// without error findings).
func NewRouter(org *config.Org, accounts []*config.Account) *Router {
	r := &Router{org: org, accounts: map[string]*config.Account{}}
	for _, a := range accounts {
		r.accounts[a.ID] = a
	}
	return r
}

// AccountName returns the account file's name for an ID, or "".
func (r *Router) AccountName(id string) string {
	if a := r.accounts[id]; a != nil {
		return a.Name
	}
	return ""
}

// PlatformChannels are where organization-wide events, events about
// accounts without a file, and dead-letter reports go.
func (r *Router) PlatformChannels() []string { return []string{r.org.Slack.DefaultChannel} }

// Decision is where an event goes; Alert false means the configuration
// filters it out (Reason says why) and it is deleted without a post.
type Decision struct {
	Alert    bool
	Channels []string
	Reason   string
}

// Route applies the configuration to one event.
func (r *Router) Route(ev *Event) Decision {
	if ev.Category == Organizations {
		return r.lifecycle(ev)
	}
	if ev.OrgLevel {
		return Decision{Alert: true, Channels: r.PlatformChannels()}
	}
	a := r.accounts[ev.SubjectAccount]
	if a == nil {
		// Nobody owns the account in accounts/: the platform team hears of it.
		return Decision{Alert: true, Channels: r.PlatformChannels(), Reason: "no account file for " + ev.SubjectAccount}
	}
	e := a.Events
	if e == nil {
		e = &config.Events{}
	}
	no := func(reason string) Decision { return Decision{Reason: reason} }
	switch ev.Category {
	case CloudFormation:
		s := e.StackFailures
		if s == nil {
			return no("stackFailures not configured")
		}
		if !slices.Contains(s.Statuses, ev.Status) {
			return no("stack status " + ev.Status + " not in stackFailures.statuses")
		}
		return Decision{Alert: true, Channels: s.Channels}
	case GuardDuty:
		g := e.GuardDuty
		if g == nil {
			return no("guardDuty not configured")
		}
		if ev.Severity < labelSeverity[g.MinSeverity] {
			return no("GuardDuty severity " + ev.Label + " below minSeverity " + g.MinSeverity)
		}
		return Decision{Alert: true, Channels: g.Channels}
	case SecurityHub:
		s := e.SecurityHub
		if s == nil {
			return no("securityHub not configured")
		}
		if !slices.Contains(s.Severities, ev.Label) {
			return no("Security Hub severity " + ev.Label + " not in securityHub.severities")
		}
		return Decision{Alert: true, Channels: s.Channels}
	case Config:
		c := e.Config
		if c == nil {
			return no("config not configured")
		}
		if len(c.Rules) > 0 && !slices.ContainsFunc(c.Rules, func(name string) bool { return ConfigRuleMatches(name, ev.Rule) }) {
			return no("Config rule " + ev.Rule + " not in config.rules")
		}
		if !slices.Contains(c.ComplianceTypes, ev.Status) {
			return no("compliance type " + ev.Status + " not in config.complianceTypes")
		}
		return Decision{Alert: true, Channels: c.Channels}
	case Health:
		h := e.Health
		if h == nil {
			return no("health not configured")
		}
		if len(h.Services) > 0 && !slices.Contains(h.Services, ev.Service) {
			return no("Health service " + ev.Service + " not in health.services")
		}
		if !intersects(h.EventTypeCategories, ev.Categories) {
			return no("Health category not in health.eventTypeCategories")
		}
		return Decision{Alert: true, Channels: h.Channels}
	case RDS:
		d := e.RDS
		if d == nil {
			return no("rds not configured")
		}
		if !intersects(d.EventCategories, ev.Categories) {
			return no("RDS categories " + strings.Join(ev.Categories, ",") + " not in rds.eventCategories")
		}
		return Decision{Alert: true, Channels: d.Channels}
	}
	return Decision{Alert: true, Channels: r.PlatformChannels()}
}

// lifecycle routes Organizations events: to lifecycle.channels when the
// event is listed in lifecycle.events; without a lifecycle section every
// Organizations event goes to the default channel, since no account team
// may mute them.
func (r *Router) lifecycle(ev *Event) Decision {
	l := r.org.Lifecycle
	if l == nil {
		return Decision{Alert: true, Channels: r.PlatformChannels()}
	}
	if !slices.Contains(l.Events, ev.Name) {
		return Decision{Reason: "Organizations event " + ev.Name + " not in lifecycle.events"}
	}
	ch := l.Channels
	if len(ch) == 0 {
		ch = r.PlatformChannels()
	}
	return Decision{Alert: true, Channels: ch}
}

// ConfigRuleMatches reports whether a rule name as it appears in an
// account matches a configured name (W10): the name itself, an
// organization rule "OrgConfigRule-<name>-<suffix>", or a conformance-pack
// rule "<name>-<suffix>".
func ConfigRuleMatches(configured, actual string) bool {
	return actual == configured ||
		strings.HasPrefix(actual, configured+"-") ||
		strings.HasPrefix(actual, "OrgConfigRule-"+configured+"-")
}

func intersects(want, have []string) bool {
	for _, h := range have {
		for _, w := range want {
			if strings.EqualFold(w, h) {
				return true
			}
		}
	}
	return false
}
