package actions

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testToken = "ghs_testtoken123"

const prEvent = `{"action":"synchronize","number":42,"pull_request":{"number":42,"head":{"sha":"headsha0000000000000000000000000000000001"}}}`

func TestReadEnv(t *testing.T) {
	complete := map[string]string{
		"GITHUB_REPOSITORY": "acme/org-alerts",
		"GITHUB_TOKEN":      testToken,
		"GITHUB_API_URL":    "https://api.github.com",
		"GITHUB_SERVER_URL": "https://github.com",
		"GITHUB_RUN_ID":     "123456",
		"GITHUB_SHA":        "mergesha000000000000000000000000000000001",
	}
	with := func(changes map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range complete {
			out[k] = v
		}
		for k, v := range changes {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name    string
		env     map[string]string
		event   string // written to a temp file named by GITHUB_EVENT_PATH; "" leaves it unset
		want    Env
		wantErr []string // substrings of the error, all required
		wantIs  error
	}{
		{
			name:  "pull request",
			env:   complete,
			event: prEvent,
			want: Env{
				Owner: "acme", Repo: "org-alerts", PR: 42, Token: testToken,
				APIURL: "https://api.github.com",
				Commit: "headsha0000000000000000000000000000000001",
				RunURL: "https://github.com/acme/org-alerts/actions/runs/123456",
			},
		},
		{
			name:  "pull request from a fork has a read-only token",
			env:   complete,
			event: `{"pull_request":{"number":42,"head":{"sha":"h","repo":{"full_name":"mallory/org-alerts"}},"base":{"repo":{"full_name":"acme/org-alerts"}}}}`,
			want: Env{
				Owner: "acme", Repo: "org-alerts", PR: 42, Token: testToken, APIURL: "https://api.github.com", Commit: "h",
				RunURL: "https://github.com/acme/org-alerts/actions/runs/123456", ReadOnlyToken: true,
			},
		},
		{
			name:  "pull request from a deleted fork has a read-only token",
			env:   complete,
			event: `{"pull_request":{"number":42,"head":{"sha":"h","repo":null},"base":{"repo":{"full_name":"acme/org-alerts"}}}}`,
			want: Env{
				Owner: "acme", Repo: "org-alerts", PR: 42, Token: testToken, APIURL: "https://api.github.com", Commit: "h",
				RunURL: "https://github.com/acme/org-alerts/actions/runs/123456", ReadOnlyToken: true,
			},
		},
		{
			name:  "pull request from a branch of the same repository can write",
			env:   complete,
			event: `{"pull_request":{"number":42,"head":{"sha":"h","repo":{"full_name":"acme/org-alerts"}},"base":{"repo":{"full_name":"acme/org-alerts"}}}}`,
			want: Env{
				Owner: "acme", Repo: "org-alerts", PR: 42, Token: testToken, APIURL: "https://api.github.com", Commit: "h",
				RunURL: "https://github.com/acme/org-alerts/actions/runs/123456",
			},
		},
		{
			name:  "Dependabot's pull request has a read-only token",
			env:   with(map[string]string{"GITHUB_ACTOR": "dependabot[bot]"}),
			event: prEvent,
			want: Env{
				Owner: "acme", Repo: "org-alerts", PR: 42, Token: testToken, APIURL: "https://api.github.com",
				Commit: "headsha0000000000000000000000000000000001",
				RunURL: "https://github.com/acme/org-alerts/actions/runs/123456", ReadOnlyToken: true,
			},
		},
		{
			name:  "enterprise server, defaults and fallbacks",
			env:   with(map[string]string{"GITHUB_API_URL": "https://ghes.example.com/api/v3/", "GITHUB_RUN_ID": ""}),
			event: `{"pull_request":{"number":3}}`,
			want: Env{
				Owner: "acme", Repo: "org-alerts", PR: 3, Token: testToken,
				APIURL: "https://ghes.example.com/api/v3",
				Commit: "mergesha000000000000000000000000000000001",
			},
		},
		{
			name:  "api url defaults to github.com",
			env:   with(map[string]string{"GITHUB_API_URL": ""}),
			event: prEvent,
			want: Env{
				Owner: "acme", Repo: "org-alerts", PR: 42, Token: testToken,
				APIURL: "https://api.github.com",
				Commit: "headsha0000000000000000000000000000000001",
				RunURL: "https://github.com/acme/org-alerts/actions/runs/123456",
			},
		},
		{
			name: "everything missing is reported at once",
			env:  map[string]string{},
			wantErr: []string{
				"GITHUB_REPOSITORY is not set",
				"GITHUB_TOKEN is not set (pass it to the step: env: GITHUB_TOKEN: ${{ github.token }})",
				"GITHUB_EVENT_PATH is not set",
			},
		},
		{
			name:    "malformed repository",
			env:     with(map[string]string{"GITHUB_REPOSITORY": "acme"}),
			event:   prEvent,
			wantErr: []string{`GITHUB_REPOSITORY is "acme", expected owner/repo`},
		},
		{
			name:    "push event is not a pull request",
			env:     complete,
			event:   `{"ref":"refs/heads/main"}`,
			wantErr: []string{"has no pull_request.number"},
			wantIs:  ErrNotPullRequest,
		},
		{
			name:    "event file is not JSON",
			env:     complete,
			event:   `{not json`,
			wantErr: []string{"parse GITHUB_EVENT_PATH"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := maps.Clone(tt.env)
			if env == nil {
				env = map[string]string{}
			}
			if tt.event != "" {
				path := filepath.Join(t.TempDir(), "event.json")
				if err := os.WriteFile(path, []byte(tt.event), 0o600); err != nil {
					t.Fatal(err)
				}
				env["GITHUB_EVENT_PATH"] = path
			}
			got, err := ReadEnv(func(k string) string { return env[k] })
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("ReadEnv: %v", err)
				}
				if got != tt.want {
					t.Errorf("ReadEnv = %#v\nwant %#v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ReadEnv = %v, want an error", got)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
		})
	}
}

func TestEnvNeverPrintsToken(t *testing.T) {
	e := Env{Owner: "acme", Repo: "org-alerts", PR: 42, Token: testToken, APIURL: "https://api.github.com"}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("env", "env", e)
	outputs := map[string]string{
		"%v":     fmt.Sprintf("%v", e),
		"%+v":    fmt.Sprintf("%+v", e),
		"%#v":    fmt.Sprintf("%#v", e),
		"String": e.String(),
		"log":    logged.String(),
	}
	for verb, out := range outputs {
		if strings.Contains(out, testToken) {
			t.Errorf("%s prints the token: %s", verb, out)
		}
		if !strings.Contains(out, "acme/org-alerts") {
			t.Errorf("%s lost the repository: %s", verb, out)
		}
	}
}
