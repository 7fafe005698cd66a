package sdk

import (
	"context"
	"fmt"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vakt/vakt/plugins/proto/pluginv1"
)

// This file holds what the check and notifier plugins share on both sides
// of a gRPC call: serving and calling Info and Configure, and turning
// errors into gRPC statuses and back.

// orDiscard returns l, or a logger that discards everything when l is nil.
func orDiscard(l hclog.Logger) hclog.Logger {
	if l == nil {
		return hclog.NewNullLogger()
	}
	return l
}

// describe serves the Info method: impl's Info, checked and converted.
func describe(ctx context.Context, impl configurable, log hclog.Logger) (*pluginv1.InfoResponse, error) {
	info, err := impl.Info(withLogger(ctx, log))
	if err != nil {
		return nil, serverError(ctx, err)
	}
	resp, err := infoToProto(info)
	if err != nil {
		return nil, serverError(ctx, fmt.Errorf("describing the plugin: %w", err))
	}
	return resp, nil
}

// infoCall is the host side of Info for both plugin kinds.
func infoCall(ctx context.Context, service string,
	call func(context.Context, *pluginv1.InfoRequest, ...grpc.CallOption) (*pluginv1.InfoResponse, error),
) (Info, error) {
	resp, err := call(ctx, &pluginv1.InfoRequest{})
	if err != nil {
		return Info{}, callError("plugin info", service, err)
	}
	info, err := infoFromProto(resp)
	if err != nil {
		return Info{}, fmt.Errorf("plugin info: %w", err)
	}
	return info, nil
}

// configureCall is the host side of Configure for both plugin kinds.
func configureCall(ctx context.Context, cfg Config, service string,
	call func(context.Context, *pluginv1.ConfigureRequest, ...grpc.CallOption) (*pluginv1.ConfigureResponse, error),
) error {
	pc, err := configToProto(cfg)
	if err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	resp, err := call(ctx, &pluginv1.ConfigureRequest{Config: pc})
	if err != nil {
		return callError(fmt.Sprintf("configure %q", cfg.ID), service, err)
	}
	if errs := attributeErrorsFromProto(resp.GetErrors()); len(errs) > 0 {
		return errs
	}
	return nil
}

// callError turns the error of a call to a plugin into one that says what
// was being done and keeps what the host acts on: the context's
// cancellation or deadline, and ErrNotConfigured.
func callError(what, service string, err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch st.Code() {
	case codes.DeadlineExceeded:
		return fmt.Errorf("%s: %w (%s)", what, context.DeadlineExceeded, st.Message())
	case codes.Canceled:
		return fmt.Errorf("%s: %w (%s)", what, context.Canceled, st.Message())
	case codes.NotFound:
		return fmt.Errorf("%s: %w: %s", what, ErrNotConfigured, st.Message())
	case codes.Unimplemented:
		return fmt.Errorf("%s: the plugin does not serve %s (is it another kind of plugin?): %s", what, service, st.Message())
	case codes.Unknown, codes.Internal:
		return fmt.Errorf("%s: the plugin failed: %s", what, st.Message())
	case codes.ResourceExhausted:
		return fmt.Errorf("%s: the plugin's answer is too large: %s", what, st.Message())
	}
	return fmt.Errorf("%s: %w", what, err)
}

// serverError turns an error of the plugin's own code into a gRPC status,
// keeping the context's cancellation visible as such.
func serverError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return status.FromContextError(ctxErr).Err()
	}
	return status.Error(codes.Unknown, err.Error())
}
