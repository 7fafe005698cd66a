package sdk

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/vakt/vakt/plugins/proto/pluginv1"
)

const notifierService = "vakt.plugin.v1.NotifierPlugin"

// NotifierPlugin is the go-plugin plugin of a notifier plugin. On the
// plugin side it serves Impl over gRPC; on the host side it dispenses a
// Notifier that calls the plugin process.
type NotifierPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Impl is the plugin's implementation; nil on the host side.
	Impl Notifier
	// Logger is what Logger(ctx) returns in Impl's calls; nil discards.
	Logger hclog.Logger
}

var _ plugin.GRPCPlugin = (*NotifierPlugin)(nil)

// GRPCServer registers Impl with the plugin's gRPC server.
func (p *NotifierPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Impl == nil {
		return errors.New("serving a notifier plugin: no implementation given")
	}
	pluginv1.RegisterNotifierPluginServer(s, &notifierServer{impl: p.Impl, log: orDiscard(p.Logger), configs: newConfigStore(p.Impl)})
	return nil
}

// GRPCClient returns the host side's Notifier for a plugin connection.
func (p *NotifierPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &notifierClient{client: pluginv1.NewNotifierPluginClient(c)}, nil
}

// notifierServer is the plugin side: gRPC calls to Impl.
type notifierServer struct {
	pluginv1.UnimplementedNotifierPluginServer
	impl    Notifier
	log     hclog.Logger
	configs *configStore
}

func (s *notifierServer) Info(ctx context.Context, _ *pluginv1.InfoRequest) (*pluginv1.InfoResponse, error) {
	return describe(ctx, s.impl, s.log)
}

func (s *notifierServer) Configure(ctx context.Context, req *pluginv1.ConfigureRequest) (*pluginv1.ConfigureResponse, error) {
	return s.configs.handleConfigure(ctx, s.log, req)
}

func (s *notifierServer) Notify(ctx context.Context, req *pluginv1.NotifyRequest) (*pluginv1.NotifyResponse, error) {
	pn := req.GetNotification()
	if pn == nil {
		return nil, serverError(ctx, errors.New("the request has no notification"))
	}
	ctx = withLogger(ctx, s.log.With("notification", pn.GetId(), "check", pn.GetCheck(), "host", pn.GetHost()))
	cfg, errs, err := s.configs.resolve(ctx, req.GetConfigId(), req.GetInlineConfig())
	if err != nil {
		return nil, err
	}
	if errs != nil {
		return &pluginv1.NotifyResponse{
			Error:        validUTF8(errs.Error()),
			Permanent:    true,
			ConfigErrors: attributeErrorsToProto(errs),
		}, nil
	}
	if err := s.impl.Notify(ctx, notificationFromProto(pn, cfg)); err != nil {
		return &pluginv1.NotifyResponse{Error: validUTF8(err.Error()), Permanent: IsPermanent(err)}, nil
	}
	return &pluginv1.NotifyResponse{}, nil
}

// notifierClient is the host side: a Notifier backed by a plugin process.
type notifierClient struct {
	client pluginv1.NotifierPluginClient
}

func (c *notifierClient) Info(ctx context.Context) (Info, error) {
	return infoCall(ctx, notifierService, c.client.Info)
}

func (c *notifierClient) Configure(ctx context.Context, cfg Config) error {
	return configureCall(ctx, cfg, notifierService, c.client.Configure)
}

// Notify returns nil when the plugin delivered the notification. A failure
// the plugin called permanent, and a rejected inline config, are marked
// with Permanent; everything else (including a plugin that crashed or did
// not answer in time) may be retried.
func (c *notifierClient) Notify(ctx context.Context, n Notification) error {
	what := fmt.Sprintf("notify %q", n.ID)
	pr := &pluginv1.NotifyRequest{Notification: notificationToProto(n)}
	inline, err := inlineConfig(n.Config)
	switch {
	case err != nil:
		return Permanent(fmt.Errorf("%s: %w", what, err))
	case inline != nil:
		pr.Config = &pluginv1.NotifyRequest_InlineConfig{InlineConfig: inline}
	default:
		pr.Config = &pluginv1.NotifyRequest_ConfigId{ConfigId: n.Config.ID}
	}
	resp, err := c.client.Notify(ctx, pr)
	if err != nil {
		return callError(what, notifierService, err)
	}
	if errs := attributeErrorsFromProto(resp.GetConfigErrors()); len(errs) > 0 {
		return Permanent(fmt.Errorf("%s: %w", what, errs))
	}
	if resp.GetError() == "" {
		return nil
	}
	err = fmt.Errorf("%s: the plugin failed: %s", what, resp.GetError())
	if resp.GetPermanent() {
		return Permanent(err)
	}
	return err
}
