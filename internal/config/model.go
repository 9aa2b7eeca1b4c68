package config

// The typed model: what the rest of orgnotify reads once validation has
// passed. Field names and JSON tags mirror schema/*.schema.json; defaults
// documented there are filled in by applyDefaults so callers never have to
// know them.

// Org is org.yaml.
type Org struct {
	Organization        Organization `json:"organization"`
	Hub                 Hub          `json:"hub"`
	OrganizationsRegion string       `json:"organizationsRegion"`
	Regions             []string     `json:"regions"`
	RetiredRegions      []string     `json:"retiredRegions,omitempty"`
	MemberRole          string       `json:"memberRole"`
	Ownership           Ownership    `json:"ownership"`
	Resources           Resources    `json:"resources"`
	Slack               OrgSlack     `json:"slack"`
	Lifecycle           *Lifecycle   `json:"lifecycle,omitempty"`
	Endpoints           Endpoints    `json:"endpoints"`
	Cost                OrgCost      `json:"cost"`
	Limits              Limits       `json:"limits"`
}

// Organization identifies the AWS Organization.
type Organization struct {
	ID                  string `json:"id"`
	ManagementAccountID string `json:"managementAccountId"`
}

// Hub is the account hosting the central bus, topic, queue and key.
type Hub struct {
	AccountID  string `json:"accountId"`
	HomeRegion string `json:"homeRegion"`
}

// Ownership marks the resources orgnotify may change.
type Ownership struct {
	NamePrefix string `json:"namePrefix"`
	TagKey     string `json:"tagKey"`
	TagValue   string `json:"tagValue"`
}

// Resources names the central resources in the hub account.
type Resources struct {
	KMSKeyAlias  string `json:"kmsKeyAlias"`
	SNSTopicName string `json:"snsTopicName"`
	SQSQueueName string `json:"sqsQueueName"`
	EventBusName string `json:"eventBusName"`
}

// OrgSlack holds organization-wide Slack settings.
type OrgSlack struct {
	DefaultChannel string `json:"defaultChannel"`
}

// Lifecycle routes AWS Organizations events to the platform team.
type Lifecycle struct {
	Events      []string     `json:"events"`
	Channels    []string     `json:"channels,omitempty"` // defaulted to Slack.DefaultChannel
	Subscribers *Subscribers `json:"subscribers,omitempty"`
}

// Endpoints is the allow-list for subscriber endpoints.
type Endpoints struct {
	EmailDomains []string `json:"emailDomains"`
	HTTPSHosts   []string `json:"httpsHosts"`
}

// OrgCost holds Cost Explorer settings shared by every digest.
type OrgCost struct {
	Metric        string             `json:"metric,omitempty"`
	CurrencyRates map[string]float64 `json:"currencyRates,omitempty"` // units per USD; USD itself is implied
}

// Limits are the safety limits of an apply.
type Limits struct {
	MaxDeletionsPerApply *int `json:"maxDeletionsPerApply,omitempty"` // pointer: 0 is a valid, strict limit
}

// Account is one accounts/<name>.yaml.
type Account struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Owner       Owner   `json:"owner"`
	Slack       Slack   `json:"slack"`
	Cost        *Cost   `json:"cost,omitempty"` // nil: no cost digest
	Events      *Events `json:"events,omitempty"`

	// File is the path the account was loaded from, as in findings.
	File string `json:"-"`
}

// Owner is the team answerable for an account.
type Owner struct {
	Team    string `json:"team"`
	Contact string `json:"contact,omitempty"`
}

// Slack lists the account's default channels.
type Slack struct {
	Channels []string `json:"channels"`
}

// Cost configures the account's cost digest.
type Cost struct {
	Enabled     *bool       `json:"enabled,omitempty"`
	Currency    string      `json:"currency,omitempty"`
	Granularity string      `json:"granularity,omitempty"`
	Metric      string      `json:"metric,omitempty"` // defaulted to Org.Cost.Metric
	TopServices int         `json:"topServices,omitempty"`
	Tags        []TagFilter `json:"tags,omitempty"`
	Thresholds  *Thresholds `json:"thresholds,omitempty"`
}

// IsEnabled reports whether a digest should be sent.
func (c *Cost) IsEnabled() bool { return c != nil && (c.Enabled == nil || *c.Enabled) }

// TagFilter selects costs carrying the tag Key with one of Values.
type TagFilter struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// Thresholds add alerts to the digest.
type Thresholds struct {
	Daily             float64 `json:"daily,omitempty"`
	MonthToDate       float64 `json:"monthToDate,omitempty"`
	DayOverDayPercent float64 `json:"dayOverDayPercent,omitempty"`
}

// Events lists the event categories an account subscribes to; nil means
// not subscribed.
type Events struct {
	StackFailures *StackFailures `json:"stackFailures,omitempty"`
	GuardDuty     *GuardDuty     `json:"guardDuty,omitempty"`
	SecurityHub   *SecurityHub   `json:"securityHub,omitempty"`
	Config        *ConfigRules   `json:"config,omitempty"`
	Health        *Health        `json:"health,omitempty"`
	RDS           *RDS           `json:"rds,omitempty"`
}

// Route is what every event category shares: where it goes.
type Route struct {
	Channels    []string     `json:"channels,omitempty"` // defaulted to the account's slack.channels
	Subscribers *Subscribers `json:"subscribers,omitempty"`
}

// Subscribers are real-time endpoints outside Slack.
type Subscribers struct {
	Emails []string `json:"emails,omitempty"`
	HTTPS  []string `json:"https,omitempty"`
}

// StackFailures reports failed CloudFormation stacks.
type StackFailures struct {
	Statuses []string `json:"statuses,omitempty"`
	Route
}

// GuardDuty reports GuardDuty findings at or above MinSeverity.
type GuardDuty struct {
	MinSeverity string `json:"minSeverity,omitempty"`
	Route
}

// SecurityHub reports Security Hub findings with one of Severities.
type SecurityHub struct {
	Severities []string `json:"severities,omitempty"`
	Route
}

// ConfigRules reports AWS Config compliance changes.
type ConfigRules struct {
	Rules           []string `json:"rules,omitempty"` // empty: every rule
	ComplianceTypes []string `json:"complianceTypes,omitempty"`
	Route
}

// Health reports AWS Health events.
type Health struct {
	Services            []string `json:"services,omitempty"` // empty: every service
	EventTypeCategories []string `json:"eventTypeCategories,omitempty"`
	Route
}

// RDS reports Amazon RDS events.
type RDS struct {
	EventCategories []string `json:"eventCategories,omitempty"`
	Route
}

// Defaults that the schema documents with "default"; TestDefaultsMatchSchema
// keeps the two equal.
var (
	DefaultStackStatuses         = []string{"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "UPDATE_FAILED", "UPDATE_ROLLBACK_FAILED"}
	DefaultSecurityHubSeverities = []string{"HIGH", "CRITICAL"}
	DefaultComplianceTypes       = []string{"NON_COMPLIANT"}
	DefaultHealthCategories      = []string{"issue", "scheduledChange"}
	DefaultRDSCategories         = []string{"failover", "failure", "maintenance"}
)

const (
	defaultMetric       = "UnblendedCost"
	defaultMaxDeletions = 25
)

func (o *Org) applyDefaults() {
	if o.OrganizationsRegion == "" {
		o.OrganizationsRegion = "us-east-1"
	}
	if o.Cost.Metric == "" {
		o.Cost.Metric = defaultMetric
	}
	if o.Limits.MaxDeletionsPerApply == nil {
		n := defaultMaxDeletions
		o.Limits.MaxDeletionsPerApply = &n
	}
	if o.Lifecycle != nil && len(o.Lifecycle.Channels) == 0 {
		o.Lifecycle.Channels = []string{o.Slack.DefaultChannel}
	}
}

// applyDefaults fills what the schema defaults; org may be nil when org.yaml
// is invalid, in which case org-derived defaults stay empty.
func (a *Account) applyDefaults(org *Org) {
	if c := a.Cost; c != nil {
		if c.Enabled == nil {
			t := true
			c.Enabled = &t
		}
		if c.Currency == "" {
			c.Currency = "USD"
		}
		if c.Granularity == "" {
			c.Granularity = "DAILY"
		}
		if c.Metric == "" && org != nil {
			c.Metric = org.Cost.Metric
		}
		if c.TopServices == 0 {
			c.TopServices = 5
		}
	}
	e := a.Events
	if e == nil {
		return
	}
	route := func(r *Route) {
		if len(r.Channels) == 0 {
			r.Channels = a.Slack.Channels
		}
	}
	if s := e.StackFailures; s != nil {
		s.Statuses = orDefault(s.Statuses, DefaultStackStatuses)
		route(&s.Route)
	}
	if g := e.GuardDuty; g != nil {
		if g.MinSeverity == "" {
			g.MinSeverity = "MEDIUM"
		}
		route(&g.Route)
	}
	if s := e.SecurityHub; s != nil {
		s.Severities = orDefault(s.Severities, DefaultSecurityHubSeverities)
		route(&s.Route)
	}
	if c := e.Config; c != nil {
		c.ComplianceTypes = orDefault(c.ComplianceTypes, DefaultComplianceTypes)
		route(&c.Route)
	}
	if h := e.Health; h != nil {
		h.EventTypeCategories = orDefault(h.EventTypeCategories, DefaultHealthCategories)
		route(&h.Route)
	}
	if r := e.RDS; r != nil {
		r.EventCategories = orDefault(r.EventCategories, DefaultRDSCategories)
		route(&r.Route)
	}
}

// orDefault returns a copy of def when v is empty, so callers mutating one
// account's slice never change another's.
func orDefault(v, def []string) []string {
	if len(v) > 0 {
		return v
	}
	return append([]string(nil), def...)
}
