//! The role browser's requests: `GET /v1/roles` and `GET /v1/roles/{id}`.

use reqwest::Method;
use takes_api::roles::{RoleDetail, RolePage};

use super::{enc, Client, ClientError};

impl Client {
    pub async fn roles(&self) -> Result<RolePage, ClientError> {
        self.json(self.req(Method::GET, "/v1/roles")).await
    }

    pub async fn role(&self, id: &str) -> Result<RoleDetail, ClientError> {
        self.json(self.req(Method::GET, &format!("/v1/roles/{}", enc(id))))
            .await
    }
}
