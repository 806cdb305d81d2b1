//! Inviting a candidate and granting accommodations (`takes candidate`).

use reqwest::Method;
use takes_api::accommodations::{AccommodationRequest, Accommodations};
use takes_api::{Invitation, InvitationRequest};

use super::{enc, Client, ClientError};

impl Client {
    pub async fn invite(&self, body: &InvitationRequest) -> Result<Invitation, ClientError> {
        let req = self.with_body(self.req(Method::POST, "/v1/invitations"), body)?;
        self.json(req).await
    }

    pub async fn accommodate(
        &self,
        interview_id: &str,
        body: &AccommodationRequest,
    ) -> Result<Accommodations, ClientError> {
        let path = format!("/v1/invitations/{}/accommodations", enc(interview_id));
        let req = self.with_body(self.req(Method::PUT, &path), body)?;
        self.json(req).await
    }
}
