// The Temporal server the guichet runs in production, built from go.temporal.io/server (the
// release the CLI's dev server embeds) with the guichet's authorizer and claim mapper
// (authz.go), and the server's SQL schema tool in the same binary:
//
//	guichet-temporal start --config <dir> [--env production]   the server (every service)
//	guichet-temporal sql-tool <temporal-sql-tool arguments>      the schema tool
//	guichet-temporal ui --config <file.yaml>                     the Web UI (ui.go)
//
// scripts/lib/temporal-server.ts builds it (pinned, cached outside the clone), makes its
// configuration and runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	_ "time/tzdata"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/tools/sql"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: guichet-temporal start --config <dir> [--env <name>] | sql-tool <args> | ui --config <file>")
	}
	switch os.Args[1] {
	case "sql-tool":
		if err := sql.RunTool(append([]string{"temporal-sql-tool"}, os.Args[2:]...)); err != nil {
			os.Exit(1)
		}
	case "start":
		flags := flag.NewFlagSet("start", flag.ExitOnError)
		dir := flags.String("config", "config", "directory of the configuration (<env>.yaml)")
		env := flags.String("env", "production", "the configuration's name")
		_ = flags.Parse(os.Args[2:])
		start(*dir, *env)
	case "ui":
		flags := flag.NewFlagSet("ui", flag.ExitOnError)
		file := flags.String("config", "ui.yaml", "the UI server's configuration (github.com/temporalio/ui-server/v2 config)")
		_ = flags.Parse(os.Args[2:])
		ui(*file)
	default:
		fail("unknown command " + os.Args[1])
	}
}

func start(dir, env string) {
	cfg, err := config.LoadConfig(env, dir, "")
	if err != nil {
		fail(fmt.Sprintf("cannot load the configuration from %s: %v", dir, err))
	}
	logger := log.NewZapLogger(log.BuildZapLogger(cfg.Log))
	var dc dynamicconfig.Client = dynamicconfig.NewNoopClient()
	if cfg.DynamicConfigClient != nil {
		if dc, err = dynamicconfig.NewFileBasedClient(cfg.DynamicConfigClient, logger, temporal.InterruptCh()); err != nil {
			fail(fmt.Sprintf("cannot read the dynamic configuration: %v", err))
		}
	}
	s, err := temporal.NewServer(
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithConfig(cfg),
		temporal.WithDynamicConfigClient(dc),
		temporal.WithLogger(logger),
		temporal.InterruptOn(temporal.InterruptCh()),
		temporal.WithAuthorizer(authorizer{}),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper{} }),
	)
	if err != nil {
		fail(fmt.Sprintf("cannot create the server: %v", err))
	}
	if err := s.Start(); err != nil {
		fail(fmt.Sprintf("cannot start the server: %v", err))
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "guichet-temporal: "+msg)
	os.Exit(1)
}
