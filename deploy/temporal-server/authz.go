// The guichet's policy on the Temporal frontend: who may do what, by the client certificate's
// organizational unit (the development CA of scripts/lib/pki.ts, or a canton's own CA, issues
// them). Three identities:
//
//   - engine   (the API and the workers, OU=engine): the only ones who feed workflows — start,
//     signal, update, signal batches — and who poll and complete their tasks; they may read.
//   - operator (OU=operator, the CLI and the Web UI): read, and repair — reset, terminate,
//     cancel, delete, pause or retry an activity, batch operations other than signals, search
//     attributes, namespaces. An operator never feeds a workflow.
//   - system   (OU=system, the server's own internode and system-worker certificate): anything.
//
// Any other certificate (or none: the frontend requires one) may only ask for health.
package main

import (
	"context"
	"crypto/x509/pkix"
	"slices"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/common/api"
	"go.temporal.io/server/common/authorization"
)

type identity string

const (
	engine   identity = "engine"
	operator identity = "operator"
	system   identity = "system"
)

// What feeds a workflow or works its tasks: the engine's alone.
var feeds = map[string]bool{
	"StartWorkflowExecution": true, "SignalWorkflowExecution": true, "SignalWithStartWorkflowExecution": true,
	"UpdateWorkflowExecution": true, "ExecuteMultiOperation": true,
	"PollWorkflowTaskQueue": true, "RespondWorkflowTaskCompleted": true, "RespondWorkflowTaskFailed": true,
	"PollActivityTaskQueue": true, "RecordActivityTaskHeartbeat": true, "RecordActivityTaskHeartbeatById": true,
	"RespondActivityTaskCompleted": true, "RespondActivityTaskCompletedById": true, "RespondActivityTaskFailed": true,
	"RespondActivityTaskFailedById": true, "RespondActivityTaskCanceled": true, "RespondActivityTaskCanceledById": true,
	"RespondQueryTaskCompleted": true, "ResetStickyTaskQueue": true, "ShutdownWorker": true, "RecordWorkerHeartbeat": true,
	"PollNexusTaskQueue": true, "RespondNexusTaskCompleted": true, "RespondNexusTaskFailed": true,
	"CreateSchedule": true, "UpdateSchedule": true, "PatchSchedule": true,
}

type claimMapper struct{}

func (claimMapper) AuthInfoRequired() bool { return true }

// The caller's identity from its certificate: the subject's CN names it, its OU gives the role.
func (claimMapper) GetClaims(info *authorization.AuthInfo) (*authorization.Claims, error) {
	if info == nil || info.TLSSubject == nil {
		return &authorization.Claims{}, nil
	}
	return &authorization.Claims{Subject: info.TLSSubject.CommonName, Extensions: identityOf(info.TLSSubject)}, nil
}

func identityOf(s *pkix.Name) identity {
	for _, id := range []identity{system, operator, engine} {
		if slices.Contains(s.OrganizationalUnit, string(id)) {
			return id
		}
	}
	return ""
}

type authorizer struct{}

var (
	allow = authorization.Result{Decision: authorization.DecisionAllow}
	deny  = func(why string) authorization.Result {
		return authorization.Result{Decision: authorization.DecisionDeny, Reason: why}
	}
)

func (authorizer) Authorize(_ context.Context, claims *authorization.Claims, target *authorization.CallTarget) (authorization.Result, error) {
	if authorization.IsHealthCheckAPI(target.APIName) {
		return allow, nil
	}
	id := identity("")
	if claims != nil {
		id, _ = claims.Extensions.(identity)
	}
	return decide(id, target.APIName, target.Request), nil
}

func decide(id identity, apiName string, request any) authorization.Result {
	if id == system {
		return allow
	}
	if id != engine && id != operator {
		return deny("no role: the client certificate names none of engine, operator, system")
	}
	md := api.GetMethodMetadata(apiName)
	if md.Access == api.AccessReadOnly {
		return allow
	}
	method := api.MethodName(apiName)
	feeding := feeds[method] || isSignalBatch(method, request)
	switch {
	case id == engine && feeding:
		return allow
	case id == engine:
		return deny("the engine feeds workflows; repairs and administration are an operator's")
	case feeding:
		return deny("an operator reads and repairs; only the engine's API and workers feed workflows")
	default:
		return allow // an operator's repair or administration
	}
}

func isSignalBatch(method string, request any) bool {
	r, ok := request.(*workflowservice.StartBatchOperationRequest)
	return method == "StartBatchOperation" && ok && r.GetSignalOperation() != nil
}
