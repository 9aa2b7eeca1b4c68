package iampolicy

import (
	"errors"
	"strings"
	"testing"
)

const (
	mgmt     = "111111111111"
	member   = "222222222222"
	outsider = "999999999999"
	orgID    = "o-a1b2c3d4e5"
	topicARN = "arn:aws:sns:us-east-1:111111111111:orgnotify-lifecycle"
	ruleARN  = "arn:aws:events:us-east-1:111111111111:rule/orgnotify-lifecycle"
	busARN   = "arn:aws:events:us-east-1:111111111111:event-bus/orgnotify"
	keyARN   = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// The SNS topic policy AWS documents for EventBridge targets, narrowed by
// aws:SourceArn to orgnotify's rule.
const topicPolicy = `{
  "Version": "2012-10-17",
  "Id": "orgnotify-topic",
  "Statement": [{
    "Sid": "AllowEventBridgePublish",
    "Effect": "Allow",
    "Principal": {"Service": "events.amazonaws.com"},
    "Action": "SNS:Publish",
    "Resource": "arn:aws:sns:us-east-1:111111111111:orgnotify-lifecycle",
    "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:111111111111:rule/orgnotify-*"}}
  }]
}`

// The central bus policy: anyone in the organization may put events.
const busPolicy = `{
  "Version": "2012-10-17",
  "Statement": {
    "Sid": "AllowOrgPutEvents",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "events:PutEvents",
    "Resource": "arn:aws:events:us-east-1:111111111111:event-bus/orgnotify",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
  }
}`

// A customer-managed key policy: the account administers the key, and
// EventBridge may encrypt for (and decrypt from) resources that use it.
const keyPolicy = `{
  "Version": "2012-10-17",
  "Id": "key-default-1",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "AllowEventBridge",
      "Effect": "Allow",
      "Principal": {"Service": ["events.amazonaws.com", "sns.amazonaws.com"]},
      "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
      "Resource": "*"
    }
  ]
}`

// A queue policy whose Deny on insecure transport overrides the Allow.
const denyPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": ["111111111111", "arn:aws:iam::222222222222:root"]},
     "Action": "sqs:*", "Resource": "arn:aws:sqs:us-east-1:111111111111:digest"},
    {"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
     "Resource": "arn:aws:sqs:us-east-1:111111111111:digest",
     "Condition": {"Bool": {"aws:SecureTransport": false}}},
    {"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage",
     "Resource": "arn:aws:sqs:us-east-1:111111111111:digest",
     "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
  ]
}`

// A role principal, NotAction, StringLike with IfExists and a Null check.
const rolePolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"},
     "NotAction": ["sns:DeleteTopic", "sns:SetTopicAttributes"], "Resource": "arn:aws:sns:*:222222222222:*",
     "Condition": {"StringLikeIfExists": {"aws:RequestTag/team": "plat*"}, "Null": {"aws:SourceArn": "true"}}}
  ]
}`

func TestEvaluate(t *testing.T) {
	events := Principal{Service: "events.amazonaws.com"}
	mgmtRoot := Principal{AWS: "arn:aws:iam::" + mgmt + ":root"}
	memberRole := Principal{AWS: "arn:aws:sts::" + member + ":assumed-role/OrganizationAccountAccessRole/orgnotify"}
	cases := []struct {
		name string
		doc  string
		req  Request
		want bool
	}{
		{"topic: events publishes from the rule", topicPolicy, Request{Principal: events, Action: "sns:publish", Resource: topicARN,
			Context: map[string]string{"aws:SourceArn": ruleARN}}, true},
		{"topic: action compares without case", topicPolicy, Request{Principal: events, Action: "SNS:PUBLISH", Resource: topicARN,
			Context: map[string]string{"AWS:SOURCEARN": ruleARN}}, true},
		{"topic: rule of another account", topicPolicy, Request{Principal: events, Action: "sns:Publish", Resource: topicARN,
			Context: map[string]string{"aws:SourceArn": "arn:aws:events:us-east-1:999999999999:rule/orgnotify-lifecycle"}}, false},
		{"topic: missing aws:SourceArn", topicPolicy, Request{Principal: events, Action: "sns:Publish", Resource: topicARN}, false},
		{"topic: another service principal", topicPolicy, Request{Principal: Principal{Service: "s3.amazonaws.com"}, Action: "sns:Publish", Resource: topicARN,
			Context: map[string]string{"aws:SourceArn": ruleARN}}, false},
		{"topic: another action", topicPolicy, Request{Principal: events, Action: "sns:Subscribe", Resource: topicARN,
			Context: map[string]string{"aws:SourceArn": ruleARN}}, false},
		{"topic: another topic", topicPolicy, Request{Principal: events, Action: "sns:Publish", Resource: topicARN + "-2",
			Context: map[string]string{"aws:SourceArn": ruleARN}}, false},
		{"topic: account root is not the service", topicPolicy, Request{Principal: mgmtRoot, Action: "sns:Publish", Resource: topicARN,
			Context: map[string]string{"aws:SourceArn": ruleARN}}, false},

		{"bus: member of the organization", busPolicy, Request{Principal: memberRole, Action: "events:PutEvents", Resource: busARN,
			Context: map[string]string{"aws:PrincipalOrgID": orgID}}, true},
		{"bus: outside the organization", busPolicy, Request{Principal: Principal{AWS: "arn:aws:iam::" + outsider + ":root"}, Action: "events:PutEvents", Resource: busARN,
			Context: map[string]string{"aws:PrincipalOrgID": "o-zzzzzzzzzz"}}, false},
		{"bus: no organization at all", busPolicy, Request{Principal: Principal{AWS: "arn:aws:iam::" + outsider + ":root"}, Action: "events:PutEvents", Resource: busARN}, false},
		{"bus: org ID compares with case", busPolicy, Request{Principal: memberRole, Action: "events:PutEvents", Resource: busARN,
			Context: map[string]string{"aws:PrincipalOrgID": strings.ToUpper(orgID)}}, false},

		{"key: events decrypts", keyPolicy, Request{Principal: events, Action: "kms:Decrypt", Resource: keyARN}, true},
		{"key: events generates a data key (wildcard action)", keyPolicy, Request{Principal: events, Action: "kms:GenerateDataKey", Resource: keyARN}, true},
		{"key: events may not re-encrypt", keyPolicy, Request{Principal: events, Action: "kms:ReEncryptFrom", Resource: keyARN}, false},
		{"key: account root may do anything", keyPolicy, Request{Principal: mgmtRoot, Action: "kms:ScheduleKeyDeletion", Resource: keyARN}, true},
		{"key: account root covers assumed roles of the account", keyPolicy, Request{
			Principal: Principal{AWS: "arn:aws:sts::" + mgmt + ":assumed-role/Admin/me"}, Action: "kms:PutKeyPolicy", Resource: keyARN}, true},
		{"key: other account", keyPolicy, Request{Principal: Principal{AWS: "arn:aws:iam::" + member + ":root"}, Action: "kms:Decrypt", Resource: keyARN}, false},

		{"deny: secure call from management account", denyPolicy, Request{Principal: mgmtRoot, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111111111111:digest",
			Context: map[string]string{"aws:SecureTransport": "true", "aws:PrincipalOrgID": orgID}}, true},
		{"deny: insecure transport overrides allow", denyPolicy, Request{Principal: mgmtRoot, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111111111111:digest",
			Context: map[string]string{"aws:SecureTransport": "false", "aws:PrincipalOrgID": orgID}}, false},
		{"deny: negated operator with absent key denies", denyPolicy, Request{Principal: Principal{AWS: "arn:aws:iam::" + member + ":root"}, Action: "sqs:SendMessage",
			Resource: "arn:aws:sqs:us-east-1:111111111111:digest", Context: map[string]string{"aws:SecureTransport": "true"}}, false},
		{"deny: negated deny does not cover other actions", denyPolicy, Request{Principal: Principal{AWS: "arn:aws:iam::" + member + ":root"}, Action: "sqs:ReceiveMessage",
			Resource: "arn:aws:sqs:us-east-1:111111111111:digest", Context: map[string]string{"aws:SecureTransport": "true"}}, true},

		{"role: session of the named role", rolePolicy, Request{Principal: memberRole, Action: "sns:Publish", Resource: "arn:aws:sns:eu-west-1:222222222222:alerts"}, true},
		{"role: NotAction excludes", rolePolicy, Request{Principal: memberRole, Action: "sns:DeleteTopic", Resource: "arn:aws:sns:eu-west-1:222222222222:alerts"}, false},
		{"role: another role", rolePolicy, Request{Principal: Principal{AWS: "arn:aws:sts::" + member + ":assumed-role/ReadOnly/x"}, Action: "sns:Publish",
			Resource: "arn:aws:sns:eu-west-1:222222222222:alerts"}, false},
		{"role: IfExists key present and matching", rolePolicy, Request{Principal: memberRole, Action: "sns:Publish", Resource: "arn:aws:sns:eu-west-1:222222222222:alerts",
			Context: map[string]string{"aws:RequestTag/team": "platform"}}, true},
		{"role: IfExists key present and not matching", rolePolicy, Request{Principal: memberRole, Action: "sns:Publish", Resource: "arn:aws:sns:eu-west-1:222222222222:alerts",
			Context: map[string]string{"aws:RequestTag/team": "payments"}}, false},
		{"role: Null true fails when key present", rolePolicy, Request{Principal: memberRole, Action: "sns:Publish", Resource: "arn:aws:sns:eu-west-1:222222222222:alerts",
			Context: map[string]string{"aws:SourceArn": ruleARN}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Evaluate(tc.doc, tc.req)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if got != tc.want {
				t.Errorf("Evaluate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestConditionOperators(t *testing.T) {
	const tmpl = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{%s}}}`
	cases := []struct {
		name string
		cond string
		ctx  map[string]string
		want bool
	}{
		{"StringEquals one of a list", `"StringEquals":{"k":["a","b"]}`, map[string]string{"k": "b"}, true},
		{"StringEquals missing key", `"StringEquals":{"k":"a"}`, nil, false},
		{"StringEqualsIgnoreCase", `"StringEqualsIgnoreCase":{"k":"ABC"}`, map[string]string{"k": "abc"}, true},
		{"StringNotEqualsIgnoreCase", `"StringNotEqualsIgnoreCase":{"k":"ABC"}`, map[string]string{"k": "abc"}, false},
		{"StringLike question mark", `"StringLike":{"k":"a?c"}`, map[string]string{"k": "abc"}, true},
		{"StringLike question mark needs one char", `"StringLike":{"k":"a?c"}`, map[string]string{"k": "ac"}, false},
		{"StringNotLike", `"StringNotLike":{"k":"dev-*"}`, map[string]string{"k": "prod-1"}, true},
		{"StringNotEquals absent key is true", `"StringNotEquals":{"k":"a"}`, nil, true},
		{"ArnLike per field", `"ArnLike":{"aws:SourceArn":"arn:aws:events:*:111111111111:rule/*"}`, map[string]string{"aws:SourceArn": ruleARN}, true},
		{"ArnLike star does not cross fields", `"ArnLike":{"aws:SourceArn":"arn:aws:events:*"}`, map[string]string{"aws:SourceArn": ruleARN}, false},
		{"ArnEquals exact", `"ArnEquals":{"aws:SourceArn":"` + ruleARN + `"}`, map[string]string{"aws:SourceArn": ruleARN}, true},
		{"ArnNotEquals", `"ArnNotEquals":{"aws:SourceArn":"` + ruleARN + `"}`, map[string]string{"aws:SourceArn": ruleARN}, false},
		{"ArnNotLike other", `"ArnNotLike":{"aws:SourceArn":"arn:aws:events:*:999999999999:*"}`, map[string]string{"aws:SourceArn": ruleARN}, true},
		{"ArnLike not an ARN", `"ArnLike":{"aws:SourceArn":"arn:aws:events:*:*:*"}`, map[string]string{"aws:SourceArn": "rule/x"}, false},
		{"Bool true", `"Bool":{"aws:SecureTransport":"true"}`, map[string]string{"aws:SecureTransport": "TRUE"}, true},
		{"Bool JSON boolean", `"Bool":{"aws:SecureTransport":true}`, map[string]string{"aws:SecureTransport": "false"}, false},
		{"Null false requires the key", `"Null":{"aws:SourceArn":"false"}`, nil, false},
		{"NumericLessThan", `"NumericLessThan":{"n":10}`, map[string]string{"n": "9.5"}, true},
		{"NumericGreaterThanEquals", `"NumericGreaterThanEquals":{"n":"10"}`, map[string]string{"n": "9"}, false},
		{"IfExists absent key", `"StringEqualsIfExists":{"k":"a"}`, nil, true},
		{"ForAnyValue single value", `"ForAnyValue:StringLike":{"k":["x*","a*"]}`, map[string]string{"k": "abc"}, true},
		{"ForAllValues absent key", `"ForAllValues:StringEquals":{"k":"a"}`, nil, true},
		{"operators AND", `"StringEquals":{"a":"1"},"StringLike":{"b":"2*"}`, map[string]string{"a": "1", "b": "3"}, false},
		{"keys AND", `"StringEquals":{"a":"1","b":"2"}`, map[string]string{"a": "1", "b": "2"}, true},
		{"derived aws:PrincipalAccount", `"StringEquals":{"aws:PrincipalAccount":"222222222222"}`, nil, true},
		{"derived aws:PrincipalArn is the role", `"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::222222222222:role/Admin"}`, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Evaluate(strings.Replace(tmpl, "%s", tc.cond, 1), Request{
				Principal: Principal{AWS: "arn:aws:sts::222222222222:assumed-role/Admin/s"},
				Action:    "x:Y", Resource: "arn:aws:x:::y", Context: tc.ctx,
			})
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if got != tc.want {
				t.Errorf("Evaluate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	valid := []struct{ name, doc string }{
		{"topic policy", topicPolicy},
		{"bus policy with one statement object", busPolicy},
		{"key policy", keyPolicy},
		{"deny policy", denyPolicy},
		{"role policy", rolePolicy},
		{"no Version", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
		{"2008 version, NotPrincipal, NotResource", `{"Version":"2008-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"111111111111"},"Action":"*","NotResource":"arn:aws:sqs:*:*:x"}]}`},
	}
	for _, tc := range valid {
		t.Run("valid/"+tc.name, func(t *testing.T) {
			if err := Validate(tc.doc); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
	stmt := func(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }
	invalid := []struct{ name, doc, wantMsg string }{
		{"not JSON", `{"Version":`, "not a JSON object"},
		{"JSON array", `[]`, "not a JSON object"},
		{"trailing data", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}} {}`, "trailing data"},
		{"bad version", `{"Version":"2012-10-18","Statement":[]}`, "Version must be"},
		{"unknown top element", `{"Version":"2012-10-17","Statements":[]}`, `unknown policy element "Statements"`},
		{"no statement", `{"Version":"2012-10-17"}`, "missing Statement"},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, "must not be empty"},
		{"statement is a string", `{"Version":"2012-10-17","Statement":"x"}`, "object or a list"},
		{"bad effect", stmt(`{"Effect":"allow","Principal":"*","Action":"*","Resource":"*"}`), "Effect must be"},
		{"missing effect", stmt(`{"Principal":"*","Action":"*","Resource":"*"}`), "missing Effect"},
		{"missing principal", stmt(`{"Effect":"Allow","Action":"*","Resource":"*"}`), "Principal or NotPrincipal"},
		{"principal string not star", stmt(`{"Effect":"Allow","Principal":"111111111111","Action":"*","Resource":"*"}`), "Principal must be"},
		{"bad AWS principal", stmt(`{"Effect":"Allow","Principal":{"AWS":"12345"},"Action":"*","Resource":"*"}`), "invalid AWS principal"},
		{"unknown principal type", stmt(`{"Effect":"Allow","Principal":{"Group":"x"},"Action":"*","Resource":"*"}`), "unknown principal type"},
		{"principal list of numbers", stmt(`{"Effect":"Allow","Principal":{"AWS":[1]},"Action":"*","Resource":"*"}`), "string or a non-empty list"},
		{"action and notaction", stmt(`{"Effect":"Allow","Principal":"*","Action":"*","NotAction":"s:x","Resource":"*"}`), "Action or NotAction"},
		{"action without service", stmt(`{"Effect":"Allow","Principal":"*","Action":"Publish","Resource":"*"}`), `"service:Action"`},
		{"empty action list", stmt(`{"Effect":"Allow","Principal":"*","Action":[],"Resource":"*"}`), "non-empty list"},
		{"missing resource", stmt(`{"Effect":"Allow","Principal":"*","Action":"*"}`), "Resource or NotResource"},
		{"unknown statement element", stmt(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Conditions":{}}`), `unknown statement element "Conditions"`},
		{"unknown operator", stmt(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEqual":{"k":"v"}}}`), "unsupported condition operator"},
		{"unknown set prefix", stmt(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"k":"v"}}}`), "set operator"},
		{"condition value object", stmt(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":{"a":1}}}}`), "values must be"},
		{"condition not an object", stmt(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":["x"]}`), "Condition must map"},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			err := Validate(tc.doc)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Validate = %v, want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("Validate = %q, want it to mention %q", err, tc.wantMsg)
			}
			if _, err := Evaluate(tc.doc, Request{}); !errors.Is(err, ErrMalformed) {
				t.Errorf("Evaluate error = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestWildcard(t *testing.T) {
	cases := []struct {
		pattern, value string
		fold, want     bool
	}{
		{"*", "", false, true},
		{"sns:*", "sns:Publish", false, true},
		{"kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext", false, true},
		{"kms:GenerateDataKey*", "kms:Generate", false, false},
		{"a*b*c", "axxbyyc", false, true},
		{"a*b*c", "axxbyy", false, false},
		{"SNS:Publish", "sns:publish", true, true},
		{"SNS:Publish", "sns:publish", false, false},
		{"arn:aws:sqs:*:1:q?", "arn:aws:sqs:us-east-1:1:q1", false, true},
		{"[a]", "a", false, false}, // brackets are literal in IAM
	}
	for _, tc := range cases {
		if got := wildcard(tc.pattern, tc.value, tc.fold); got != tc.want {
			t.Errorf("wildcard(%q, %q, %v) = %v, want %v", tc.pattern, tc.value, tc.fold, got, tc.want)
		}
	}
}
