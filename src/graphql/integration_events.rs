//! Subscriptions that integrations mostly take as outgoing webhooks: contacts' consent,
//! templates' review and campaigns' end. Live over graphql-transport-ws like the others.

use async_graphql::{Context, Enum, Object, Subscription, ID};
use futures::stream::Stream;

use super::campaigns::Campaign;
use super::conversations::Contact;
use super::guards::viewer;
use super::subscriptions::{events, to_error};
use super::templates::Template;
use super::types::parse_id;
use crate::domain::ChannelId;
use crate::services::auth::{Admin, Agent};
use crate::services::events::Event;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::services::events::ContactEventKind")]
pub enum ContactEventKind {
    /// The contact asked not to be messaged (a stop keyword, or an admin).
    OptedOut,
    /// The contact agreed to be messaged again.
    OptedIn,
}

pub struct ContactEvent {
    kind: ContactEventKind,
    contact: Contact,
}

#[Object]
impl ContactEvent {
    async fn kind(&self) -> ContactEventKind {
        self.kind
    }
    async fn contact(&self) -> &Contact {
        &self.contact
    }
}

pub struct TemplateEvent {
    template: Template,
}

#[Object]
impl TemplateEvent {
    /// The template with its new status (and the rejection reason, if rejected).
    async fn template(&self) -> &Template {
        &self.template
    }
}

pub struct CampaignEvent {
    campaign: Campaign,
}

#[Object]
impl CampaignEvent {
    /// The campaign, COMPLETED or CANCELLED, with its final counts.
    async fn campaign(&self) -> &Campaign {
        &self.campaign
    }
}

#[derive(Default)]
pub struct IntegrationSubscription;

#[Subscription]
impl IntegrationSubscription {
    /// Contacts opting out of or back into messages.
    async fn contact_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ContactEvent>>> {
        let tenant = viewer(ctx)
            .and_then(|v| v.access::<Agent>())
            .map_err(to_error)?
            .tenant();
        Ok(events(
            ctx,
            tenant,
            None,
            None,
            move |_, event, _| match event {
                Event::Contact { kind, contact, .. } => Some(ContactEvent {
                    kind: (*kind).into(),
                    contact: Contact((**contact).clone(), tenant),
                }),
                _ => None,
            },
        ))
    }

    /// Templates whose review status changed (owners and admins), optionally of one
    /// channel.
    async fn template_events(
        &self,
        ctx: &Context<'_>,
        channel_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<TemplateEvent>>> {
        let tenant = viewer(ctx)
            .and_then(|v| v.access::<Admin>())
            .map_err(to_error)?
            .tenant();
        let channel: Option<ChannelId> = channel_id
            .as_ref()
            .map(|id| parse_id("channelId", id))
            .transpose()
            .map_err(to_error)?;
        Ok(events(
            ctx,
            tenant,
            None,
            None,
            move |_, event, _| match event {
                Event::Template { template, .. }
                    if channel.is_none_or(|c| c == template.channel) =>
                {
                    Some(TemplateEvent {
                        template: Template((**template).clone()),
                    })
                }
                _ => None,
            },
        ))
    }

    /// Campaigns as they finish, COMPLETED or CANCELLED (owners and admins).
    async fn campaign_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<CampaignEvent>>> {
        let tenant = viewer(ctx)
            .and_then(|v| v.access::<Admin>())
            .map_err(to_error)?
            .tenant();
        Ok(events(
            ctx,
            tenant,
            None,
            None,
            move |_, event, _| match event {
                Event::Campaign { campaign, .. } => Some(CampaignEvent {
                    campaign: Campaign((**campaign).clone(), tenant),
                }),
                _ => None,
            },
        ))
    }
}
