package awssim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

func postJSON(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// TestPostServiceEvent: POST /_awssim/events publishes an AWS service event
// on the account's default bus, where rules route it like any event.
func TestPostServiceEvent(t *testing.T) {
	ctx := context.Background()
	const mgmt = "111111111111"
	env := awssimtest.StartOrg(t, mgmt)
	cfg := env.Config(t, "us-east-1")
	url := awssimtest.RuleToQueue(t, cfg, mgmt, "lifecycle", `{"source":["aws.organizations"],"detail":{"eventName":["CreateAccountResult"]}}`)
	q := sqs.NewFromConfig(cfg)

	endpoint := env.URL + "/_awssim/events"
	status, body := postJSON(t, endpoint, `{"account":"111111111111","region":"us-east-1","source":"aws.organizations","detail-type":"AWS Service Event via CloudTrail","detail":{"eventName":"CreateAccountResult","serviceEventDetails":{"createAccountStatus":{"state":"SUCCEEDED"}}}}`)
	var out struct{ ID string }
	if status != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil || out.ID == "" {
		t.Fatalf("POST events = %d %s, want 200 with an id", status, body)
	}
	msgs, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
	awssimtest.WantCode(t, err, "")
	if len(msgs.Messages) != 1 || !strings.Contains(aws.ToString(msgs.Messages[0].Body), `"id":"`+out.ID+`"`) {
		t.Fatalf("queue = %+v, want the event %s", msgs.Messages, out.ID)
	}

	bad := []struct{ name, body, want string }{
		{"not JSON", `{`, "request body"},
		{"unknown field", `{"acount":"111111111111"}`, "unknown field"},
		{"second object", `{"account":"111111111111","region":"us-east-1","source":"s","detail-type":"d","detail":{}} {}`, "trailing data"},
		{"bad account", `{"account":"1111","region":"us-east-1","source":"s","detail-type":"d","detail":{}}`, "account:"},
		{"bad region", `{"account":"111111111111","region":"","source":"s","detail-type":"d","detail":{}}`, "region:"},
		{"no source", `{"account":"111111111111","region":"us-east-1","detail-type":"d","detail":{}}`, "source:"},
		{"no detail-type", `{"account":"111111111111","region":"us-east-1","source":"s","detail":{}}`, "detail-type:"},
		{"detail not an object", `{"account":"111111111111","region":"us-east-1","source":"s","detail-type":"d","detail":"x"}`, "detail:"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			status, body := postJSON(t, endpoint, b.body)
			if status != http.StatusBadRequest || !strings.Contains(body, b.want) {
				t.Fatalf("POST = %d %s, want 400 naming %q", status, body, b.want)
			}
		})
	}
	// An API call event without a trail goes nowhere, and says so.
	status, body = postJSON(t, endpoint, `{"account":"111111111111","region":"us-east-1","source":"aws.organizations","detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"InviteAccountToOrganization"}}`)
	if status != http.StatusConflict || !strings.Contains(body, "trail") {
		t.Fatalf("API call event without a trail = %d %s, want 409", status, body)
	}
}
