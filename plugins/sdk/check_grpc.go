package sdk

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/proto/pluginv1"
)

const checkService = "vakt.plugin.v1.CheckPlugin"

// CheckPlugin is the go-plugin plugin of a check plugin. On the plugin side
// it serves Impl over gRPC; on the host side it dispenses a Checker that
// calls the plugin process.
type CheckPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Impl is the plugin's implementation; nil on the host side.
	Impl Checker
	// Logger is what Logger(ctx) returns in Impl's calls; nil discards.
	Logger hclog.Logger
}

var _ plugin.GRPCPlugin = (*CheckPlugin)(nil)

// GRPCServer registers Impl with the plugin's gRPC server.
func (p *CheckPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Impl == nil {
		return errors.New("serving a check plugin: no implementation given")
	}
	pluginv1.RegisterCheckPluginServer(s, &checkServer{impl: p.Impl, log: orDiscard(p.Logger), configs: newConfigStore(p.Impl)})
	return nil
}

// GRPCClient returns the host side's Checker for a plugin connection.
func (p *CheckPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &checkClient{client: pluginv1.NewCheckPluginClient(c)}, nil
}

// checkServer is the plugin side: gRPC calls to Impl.
type checkServer struct {
	pluginv1.UnimplementedCheckPluginServer
	impl    Checker
	log     hclog.Logger
	configs *configStore
}

func (s *checkServer) Info(ctx context.Context, _ *pluginv1.InfoRequest) (*pluginv1.InfoResponse, error) {
	return describe(ctx, s.impl, s.log)
}

func (s *checkServer) Configure(ctx context.Context, req *pluginv1.ConfigureRequest) (*pluginv1.ConfigureResponse, error) {
	return s.configs.handleConfigure(ctx, s.log, req)
}

func (s *checkServer) Check(ctx context.Context, req *pluginv1.CheckRequest) (*pluginv1.CheckResponse, error) {
	log := s.log.With("check", req.GetCheck(), "host", req.GetHost().GetName())
	ctx = withLogger(ctx, log)
	cfg, errs, err := s.configs.resolve(ctx, req.GetConfigId(), req.GetInlineConfig())
	if err != nil {
		return nil, err
	}
	if errs != nil {
		return &pluginv1.CheckResponse{ConfigErrors: attributeErrorsToProto(errs)}, nil
	}
	r := Request{
		Config:  cfg,
		Check:   req.GetCheck(),
		Host:    hostFromProto(req.GetHost()),
		Timeout: req.GetTimeout().AsDuration(),
	}
	result, err := s.impl.Check(ctx, r)
	if err != nil {
		return nil, serverError(ctx, err)
	}
	return resultToProto(result), nil
}

// checkClient is the host side: a Checker backed by a plugin process.
type checkClient struct {
	client pluginv1.CheckPluginClient
}

func (c *checkClient) Info(ctx context.Context) (Info, error) {
	return infoCall(ctx, checkService, c.client.Info)
}

func (c *checkClient) Configure(ctx context.Context, cfg Config) error {
	return configureCall(ctx, cfg, checkService, c.client.Configure)
}

func (c *checkClient) Check(ctx context.Context, req Request) (check.Result, error) {
	pr := &pluginv1.CheckRequest{
		Check: req.Check,
		Host:  &pluginv1.Host{Name: req.Host.Name, Address: req.Host.Address},
	}
	inline, err := inlineConfig(req.Config)
	switch {
	case err != nil:
		return check.Result{}, fmt.Errorf("check %q: %w", req.Check, err)
	case inline != nil:
		pr.Config = &pluginv1.CheckRequest_InlineConfig{InlineConfig: inline}
	default:
		pr.Config = &pluginv1.CheckRequest_ConfigId{ConfigId: req.Config.ID}
	}
	if req.Timeout > 0 {
		pr.Timeout = durationpb.New(req.Timeout)
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.Timeout)
		defer cancel()
	}
	what := fmt.Sprintf("check %q on %q", req.Check, req.Host.Name)
	resp, err := c.client.Check(ctx, pr)
	if err != nil {
		return check.Result{}, callError(what, checkService, err)
	}
	if errs := attributeErrorsFromProto(resp.GetConfigErrors()); len(errs) > 0 {
		return check.Result{}, fmt.Errorf("%s: %w", what, errs)
	}
	result, err := resultFromProto(req, resp)
	if err != nil {
		return check.Result{}, fmt.Errorf("%s: %w", what, err)
	}
	return result, nil
}

// inlineConfig returns the config to send inline with a Check or Notify
// request, or nil when the request names a configured config by id (cfg
// has no Values).
func inlineConfig(cfg Config) (*pluginv1.Config, error) {
	if cfg.Values != nil {
		return configToProto(cfg)
	}
	if cfg.ID == "" {
		return nil, errors.New("the request names no config: set Config.ID or Config.Values")
	}
	return nil, nil
}
