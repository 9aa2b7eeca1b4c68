package events

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Kind is one entry of the classification table: which events it matches
// and how it describes them. Adding an event kind is one entry here and a
// sample under testdata/events/.
type Kind struct {
	Name        string
	Category    Category
	Source      string
	DetailTypes []string // any of them; empty matches every detail type of Source
	// Describe fills what the envelope alone does not say: the subject
	// account, severity, title, links and filter facts. ev arrives with
	// ID, Kind, Category, SourceAccount, SubjectAccount (= the envelope's
	// account), Region and Time set.
	Describe func(env Envelope, d detail, ev *Event)
}

// Kinds is the classification table, in match order.
var Kinds = []Kind{
	{Name: "organizations", Category: Organizations, Source: "aws.organizations",
		DetailTypes: []string{"AWS API Call via CloudTrail", "AWS Service Event via CloudTrail"}, Describe: describeOrganizations},
	{Name: "cloudformation-stack", Category: CloudFormation, Source: "aws.cloudformation",
		DetailTypes: []string{"CloudFormation Stack Status Change"}, Describe: describeStack},
	{Name: "guardduty-finding", Category: GuardDuty, Source: "aws.guardduty",
		DetailTypes: []string{"GuardDuty Finding"}, Describe: describeGuardDuty},
	{Name: "securityhub-finding", Category: SecurityHub, Source: "aws.securityhub",
		DetailTypes: []string{"Security Hub Findings - Imported"}, Describe: describeSecurityHub},
	{Name: "securityhub-finding-v2", Category: SecurityHub, Source: "aws.securityhub",
		DetailTypes: []string{"Findings Imported V2"}, Describe: describeSecurityHubV2},
	{Name: "config-compliance", Category: Config, Source: "aws.config",
		DetailTypes: []string{"Config Rules Compliance Change"}, Describe: describeConfig},
	{Name: "health", Category: Health, Source: "aws.health",
		DetailTypes: []string{"AWS Health Event", "AWS Health Abuse Event"}, Describe: describeHealth},
	{Name: "rds-instance", Category: RDS, Source: "aws.rds",
		DetailTypes: []string{"RDS DB Instance Event"}, Describe: describeRDS},
	{Name: "rds-cluster", Category: RDS, Source: "aws.rds",
		DetailTypes: []string{"RDS DB Cluster Event"}, Describe: describeRDS},
}

// otherKind takes every event no entry matches: kept, never dropped.
var otherKind = Kind{Name: "other", Category: Other, Describe: describeOther}

func (k *Kind) matches(env Envelope) bool {
	if k.Source != env.Source {
		return false
	}
	if len(k.DetailTypes) == 0 {
		return true
	}
	for _, t := range k.DetailTypes {
		if t == env.DetailType {
			return true
		}
	}
	return false
}

// Classify finds the event's kind and describes it.
func Classify(env Envelope) Event {
	kind := &otherKind
	for i := range Kinds {
		if Kinds[i].matches(env) {
			kind = &Kinds[i]
			break
		}
	}
	ev := Event{
		ID: env.ID, Kind: kind.Name, Category: kind.Category,
		SourceAccount: env.Account, SubjectAccount: env.Account,
		Region: env.Region, Time: env.When(),
	}
	kind.Describe(env, parseDetail(env.Detail), &ev)
	return ev
}

func consoleURL(region, service, fragment string) string {
	return "https://" + region + ".console.aws.amazon.com/" + service + "/home?region=" + region + fragment
}

// --- AWS Organizations (W9) ---

// orgSubject says where each Organizations event names the account it is
// about; absent events are about the organization itself (OUs, policies).
var orgSubject = map[string][]any{
	"CreateAccountResult":              {"serviceEventDetails", "createAccountStatus", "accountId"},
	"CreateAccount":                    {"responseElements", "createAccountStatus", "accountId"},
	"CloseAccount":                     {"requestParameters", "accountId"},
	"MoveAccount":                      {"requestParameters", "accountId"},
	"RemoveAccountFromOrganization":    {"requestParameters", "accountId"},
	"RegisterDelegatedAdministrator":   {"requestParameters", "accountId"},
	"DeregisterDelegatedAdministrator": {"requestParameters", "accountId"},
	"AttachPolicy":                     {"requestParameters", "targetId"},
	"DetachPolicy":                     {"requestParameters", "targetId"},
}

func describeOrganizations(env Envelope, d detail, ev *Event) {
	name := d.str("eventName")
	ev.Name = name
	ev.OrgLevel = true
	ev.SubjectAccount = ""
	ev.Severity = Info
	ev.Region = firstNonEmpty(d.str("awsRegion"), env.Region)
	switch name {
	case "InviteAccountToOrganization":
		// The handshake target, when it is an account (not an email).
		if strings.EqualFold(d.str("requestParameters", "target", "type"), "ACCOUNT") {
			ev.SubjectAccount = d.str("requestParameters", "target", "id")
		}
	case "LeaveOrganization", "AcceptHandshake":
		// Recorded by the member itself (W9).
		ev.SubjectAccount = firstNonEmpty(d.str("recipientAccountId"), d.str("userIdentity", "accountId"), env.Account)
	default:
		if p, ok := orgSubject[name]; ok {
			ev.SubjectAccount = d.str(p...)
		}
	}
	if !IsAccountID(ev.SubjectAccount) {
		ev.SubjectAccount = ""
	}
	subject := ev.SubjectAccount
	switch name {
	case "CreateAccountResult":
		st := d.str("serviceEventDetails", "createAccountStatus", "state")
		acct := d.str("serviceEventDetails", "createAccountStatus", "accountName")
		ev.Status = st
		ev.Resource = acct
		if st == "FAILED" {
			ev.Severity = High
			ev.Reason = d.str("serviceEventDetails", "createAccountStatus", "failureReason")
			ev.Title = "Account creation failed: " + acct
		} else {
			ev.Title = "Account created: " + acct
		}
	case "CreateAccount":
		ev.Resource = d.str("requestParameters", "accountName")
		ev.Title = "Account requested: " + ev.Resource
	case "CloseAccount":
		ev.Severity = Medium
		ev.Title = "Account closed"
	case "InviteAccountToOrganization":
		ev.Title = "Account invited to the organization"
		if subject == "" {
			ev.Resource = d.str("requestParameters", "target", "id")
		}
	case "MoveAccount":
		ev.Title = "Account moved"
		ev.Reason = d.str("requestParameters", "sourceParentId") + " → " + d.str("requestParameters", "destinationParentId")
	case "RemoveAccountFromOrganization":
		ev.Severity = Medium
		ev.Title = "Account removed from the organization"
	case "LeaveOrganization":
		ev.Severity = Medium
		ev.Title = "Account left the organization"
	case "AttachPolicy", "DetachPolicy":
		ev.Severity = Medium
		verb := map[string]string{"AttachPolicy": "Policy attached", "DetachPolicy": "Policy detached"}[name]
		ev.Title = verb + ": " + d.str("requestParameters", "policyId") + " on " + d.str("requestParameters", "targetId")
	case "CreateOrganizationalUnit":
		ev.Title = "OU created: " + d.str("requestParameters", "name")
		ev.Resource = d.str("responseElements", "organizationalUnit", "id")
	case "DeleteOrganizationalUnit", "UpdateOrganizationalUnit":
		ev.Severity = Medium
		verb := map[string]string{"DeleteOrganizationalUnit": "OU deleted: ", "UpdateOrganizationalUnit": "OU renamed: "}[name]
		ev.Title = verb + d.str("requestParameters", "organizationalUnitId")
	case "CreatePolicy", "UpdatePolicy", "DeletePolicy":
		ev.Severity = Medium
		verb := map[string]string{"CreatePolicy": "Policy created: ", "UpdatePolicy": "Policy updated: ", "DeletePolicy": "Policy deleted: "}[name]
		ev.Title = verb + firstNonEmpty(d.str("requestParameters", "name"), d.str("requestParameters", "policyId"))
		ev.Resource = d.str("requestParameters", "type")
	default:
		ev.Title = "Organizations: " + firstNonEmpty(name, env.DetailType)
	}
	if code := d.str("errorCode"); code != "" {
		ev.Title += " (failed: " + code + ")"
		ev.Reason = firstNonEmpty(d.str("errorMessage"), ev.Reason)
	}
	if subject != "" {
		ev.Link = "https://us-east-1.console.aws.amazon.com/organizations/v2/home/accounts/" + subject
	} else {
		ev.Link = "https://us-east-1.console.aws.amazon.com/organizations/v2/home/accounts"
	}
}

// --- CloudFormation and Service Catalog ---

// stackSeverity: failures that need a human are high, rollbacks that
// completed are medium, the rest is information.
func stackSeverity(status string) Severity {
	switch {
	case strings.HasSuffix(status, "_FAILED"):
		return High
	case strings.Contains(status, "ROLLBACK"):
		return Medium
	}
	return Info
}

// StackName returns the stack name of a stack ARN
// (arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID).
func StackName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":stack/")
	if !ok {
		return arn
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// IsServiceCatalogStack reports whether a stack was launched by Service
// Catalog for a provisioned product ("SC-<account>-pp-<id>").
func IsServiceCatalogStack(name string) bool {
	rest, ok := strings.CutPrefix(name, "SC-")
	if !ok || len(rest) < 13 || !IsAccountID(rest[:12]) {
		return false
	}
	return strings.HasPrefix(rest[12:], "-pp-") && len(rest) > 16
}

func describeStack(env Envelope, d detail, ev *Event) {
	ev.StackARN = firstNonEmpty(d.str("stack-id"), firstResource(env))
	ev.Status = d.str("status-details", "status")
	ev.Reason = d.str("status-details", "status-reason")
	ev.Resource = StackName(ev.StackARN)
	ev.Severity = stackSeverity(ev.Status)
	ev.Title = "Stack " + ev.Resource + " " + ev.Status
	ev.Link = consoleURL(env.Region, "cloudformation", "#/stacks/stackinfo?stackId="+url.QueryEscape(ev.StackARN))
}

func firstResource(env Envelope) string {
	if len(env.Resources) > 0 {
		return env.Resources[0]
	}
	return ""
}

// --- GuardDuty (W11) ---

// GuardDutySeverity maps GuardDuty's number to its label: LOW 1.0–3.9,
// MEDIUM 4.0–6.9, HIGH 7.0–8.9, CRITICAL 9.0–10.0.
func GuardDutySeverity(n float64) (Severity, string) {
	switch {
	case n >= 9:
		return Critical, "CRITICAL"
	case n >= 7:
		return High, "HIGH"
	case n >= 4:
		return Medium, "MEDIUM"
	}
	return Low, "LOW"
}

func describeGuardDuty(env Envelope, d detail, ev *Event) {
	ev.SubjectAccount = firstNonEmpty(d.str("accountId"), env.Account)
	ev.Region = firstNonEmpty(d.str("region"), env.Region)
	n, _ := d.num("severity")
	ev.Severity, ev.Label = GuardDutySeverity(n)
	ev.Title = "GuardDuty " + ev.Label + " " + d.str("severity") + ": " + firstNonEmpty(d.str("title"), d.str("type"))
	ev.Resource = d.str("type")
	id := d.str("id")
	ev.DedupeKey = "guardduty/" + ev.SubjectAccount + "/" + id + "/" + d.str("updatedAt")
	ev.Link = consoleURL(ev.Region, "guardduty", "#/findings?macros=current&fId="+url.QueryEscape(id))
}

// --- Security Hub (W11) ---

var labelSeverity = map[string]Severity{
	"INFORMATIONAL": Info, "LOW": Low, "MEDIUM": Medium, "HIGH": High, "CRITICAL": Critical,
	// OCSF (Findings Imported V2) spells severities in title case.
	"Informational": Info, "Low": Low, "Medium": Medium, "High": High, "Critical": Critical,
	"Fatal": Critical, "Unknown": Info, "Other": Info,
}

func describeSecurityHub(env Envelope, d detail, ev *Event) {
	f := []any{"findings", 0}
	at := func(k ...any) []any { return append(append([]any{}, f...), k...) }
	ev.SubjectAccount = firstNonEmpty(d.str(at("AwsAccountId")...), env.Account)
	ev.Region = firstNonEmpty(d.str(at("Region")...), env.Region)
	ev.Label = strings.ToUpper(d.str(at("Severity", "Label")...))
	ev.Severity = labelSeverity[ev.Label]
	ev.Title = "Security Hub " + ev.Label + ": " + d.str(at("Title")...)
	ev.Resource = d.str(at("Resources", 0, "Id")...)
	id := d.str(at("Id")...)
	ev.DedupeKey = "securityhub/" + id + "/" + findingTime(d.str(at("UpdatedAt")...))
	ev.Link = consoleURL(ev.Region, "securityhub", "#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A"+url.QueryEscape(url.QueryEscape(id)))
}

func describeSecurityHubV2(env Envelope, d detail, ev *Event) {
	f := []any{"findings", 0}
	at := func(k ...any) []any { return append(append([]any{}, f...), k...) }
	ev.SubjectAccount = firstNonEmpty(d.str(at("cloud", "account", "uid")...), env.Account)
	ev.Region = firstNonEmpty(d.str(at("cloud", "region")...), env.Region)
	label := d.str(at("severity")...)
	ev.Severity = labelSeverity[label]
	ev.Label = strings.ToUpper(label)
	ev.Title = "Security Hub " + ev.Label + ": " + d.str(at("finding_info", "title")...)
	ev.Resource = d.str(at("resources", 0, "uid")...)
	id := d.str(at("finding_info", "uid")...)
	ev.DedupeKey = "securityhub/" + id + "/" + findingTime(firstNonEmpty(d.str(at("finding_info", "modified_time_dt")...), d.str(at("finding_info", "modified_time")...)))
	ev.Link = "https://" + ev.Region + ".console.aws.amazon.com/securityhub/v2/home?region=" + ev.Region + "#/findings"
}

// findingTime writes a finding's update time one way, whether ASFF
// (RFC 3339), OCSF (RFC 3339 with milliseconds, or epoch milliseconds)
// spelled it, so both forms of one finding share a dedupe key (W11).
func findingTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		ms, nerr := strconv.ParseInt(s, 10, 64)
		if nerr != nil {
			return s
		}
		t = time.UnixMilli(ms)
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// --- AWS Config (W10) ---

func describeConfig(env Envelope, d detail, ev *Event) {
	ev.SubjectAccount = firstNonEmpty(d.str("awsAccountId"), env.Account)
	ev.Region = firstNonEmpty(d.str("awsRegion"), env.Region)
	ev.Rule = d.str("configRuleName")
	ev.Status = d.str("newEvaluationResult", "complianceType")
	old := d.str("oldEvaluationResult", "complianceType")
	ev.Resource = d.str("resourceType") + " " + d.str("resourceId")
	switch {
	case ev.Status == "NON_COMPLIANT":
		ev.Severity = Medium
		ev.Title = "Config " + ev.Rule + ": NON_COMPLIANT"
	case ev.Status == "COMPLIANT" && old == "NON_COMPLIANT":
		ev.Title = "Config " + ev.Rule + ": back to COMPLIANT"
	default:
		ev.Title = "Config " + ev.Rule + ": " + ev.Status
	}
	ev.Reason = d.str("newEvaluationResult", "annotation")
	ev.Link = consoleURL(ev.Region, "config", "#/rules/details?configRuleName="+url.QueryEscape(ev.Rule))
}

// --- AWS Health (W12) ---

var healthSeverity = map[string]Severity{"issue": High, "investigation": Medium, "scheduledChange": Medium, "accountNotification": Low}

func describeHealth(env Envelope, d detail, ev *Event) {
	ev.Public = d.str("eventScopeCode") == "PUBLIC"
	ev.SubjectAccount = firstNonEmpty(d.str("affectedAccount"), env.Account)
	ev.Region = firstNonEmpty(d.str("eventRegion"), env.Region)
	ev.Service = d.str("service")
	ev.Name = d.str("eventTypeCode")
	cat := d.str("eventTypeCategory")
	ev.Categories = []string{cat}
	ev.Severity = healthSeverity[cat]
	ev.Title = "Health " + ev.Service + " " + cat + ": " + ev.Name
	if env.DetailType == "AWS Health Abuse Event" {
		ev.Severity = High
	}
	ev.Resource = strings.Join(d.strs("resources"), ", ")
	if ev.Resource == "" {
		ev.Resource = strings.Join(env.Resources, ", ")
	}
	arn, comm := d.str("eventArn"), d.str("communicationId")
	if ev.Public {
		// Every account (and the backup region) receives a public event:
		// it is about everyone, posted once to the platform channel.
		ev.OrgLevel = true
		ev.SubjectAccount = ""
		ev.DedupeKey = "health/" + arn + "/" + comm
	} else {
		ev.DedupeKey = "health/" + ev.SubjectAccount + "/" + arn + "/" + comm
	}
	ev.Link = "https://health.aws.amazon.com/health/home#/account/event-log?eventID=" + url.QueryEscape(arn)
}

// --- Amazon RDS (W13) ---

var rdsSeverity = map[string]Severity{"failure": High, "failover": Medium, "low storage": Medium, "maintenance": Low, "security patching": Low}

func describeRDS(env Envelope, d detail, ev *Event) {
	ev.Categories = d.strs("EventCategories")
	for _, c := range ev.Categories {
		if s := rdsSeverity[c]; s > ev.Severity {
			ev.Severity = s
		}
	}
	id := d.str("SourceIdentifier")
	ev.Resource = id
	ev.Name = d.str("EventID")
	ev.Title = "RDS " + id + ": " + d.str("Message")
	cluster := env.DetailType == "RDS DB Cluster Event"
	ev.Link = consoleURL(env.Region, "rds", "#database:id="+url.QueryEscape(id)+";is-cluster="+map[bool]string{true: "true", false: "false"}[cluster])
}

// --- everything else ---

func describeOther(env Envelope, _ detail, ev *Event) {
	ev.OrgLevel = true
	ev.Title = env.Source + ": " + env.DetailType
	ev.Resource = strings.Join(env.Resources, ", ")
}
