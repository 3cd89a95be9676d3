// The Temporal Web UI of the cluster: the UI server the CLI's dev server embeds
// (github.com/temporalio/ui-server/v2), run from a YAML file of its own configuration
// (config/ui.yaml, its variables taken from the environment). In the
// guichet's cluster it signs operators in at the identity provider (OIDC) and talks to the
// frontend with the operator's certificate, so its write actions are the operator's: repairs,
// never feeding a workflow (authz.go).
package main

import (
	"fmt"
	"os"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
	"gopkg.in/yaml.v3"
)

func ui(file string) {
	raw, err := os.ReadFile(file)
	if err != nil {
		fail(fmt.Sprintf("cannot read the UI configuration: %v", err))
	}
	// ${NAME} from the environment: one file for the scripts and docker-compose.yml (config/ui.yaml).
	cfg := &uiconfig.Config{}
	if err := yaml.Unmarshal([]byte(os.ExpandEnv(string(raw))), cfg); err != nil {
		fail(fmt.Sprintf("cannot parse the UI configuration %s: %v", file, err))
	}
	if err := cfg.Validate(); err != nil {
		fail(fmt.Sprintf("the UI configuration %s: %v", file, err))
	}
	s := uiserver.NewServer(uioptions.WithConfigProvider(cfg))
	defer s.Stop()
	if err := s.Start(); err != nil {
		fail(fmt.Sprintf("the UI server stopped: %v", err))
	}
}
