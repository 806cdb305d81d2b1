//! The process endpoints (`takes process plan|apply|export`).

use reqwest::Method;
use takes_api::process::{
    ApplyResult, IntroCaptionsUpload, IntroVideoUpload, Plan, ProcessDocument, ProcessRequest,
};
use takes_api::roles::{RoleDetail, RolePage};

use super::{enc, root_cause, Client, ClientError};

impl Client {
    /// The server's process, and the `ETag` of that state.
    pub async fn process(&self) -> Result<(ProcessDocument, Option<String>), ClientError> {
        let resp = self.send(self.req(Method::GET, "/v1/process")).await?;
        let etag = resp
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| ClientError::Malformed(root_cause(&e)))?;
        let doc =
            serde_json::from_slice(&bytes).map_err(|e| ClientError::Malformed(e.to_string()))?;
        Ok((doc, etag))
    }

    pub async fn plan_process(&self, body: &ProcessRequest) -> Result<Plan, ClientError> {
        let req = self.with_body(self.req(Method::POST, "/v1/process/plan"), body)?;
        self.json(req).await
    }

    /// Applies `body` if the server is still in the state `if_match` names
    /// (a plan's etag); else `412`.
    pub async fn apply_process(
        &self,
        body: &ProcessRequest,
        if_match: &str,
    ) -> Result<ApplyResult, ClientError> {
        let req = self
            .req(Method::PUT, "/v1/process")
            .header(reqwest::header::IF_MATCH, if_match);
        self.json(self.with_body(req, body)?).await
    }

    pub async fn upload_intro_video(
        &self,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<IntroVideoUpload, ClientError> {
        let req = self
            .req(Method::PUT, "/v1/process/intro-videos")
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes);
        self.json(req).await
    }

    /// Uploads intro video captions (WebVTT); the server checks every cue.
    pub async fn upload_intro_captions(
        &self,
        bytes: Vec<u8>,
    ) -> Result<IntroCaptionsUpload, ClientError> {
        let req = self
            .req(Method::PUT, "/v1/process/intro-captions")
            .header(reqwest::header::CONTENT_TYPE, "text/vtt")
            .body(bytes);
        self.json(req).await
    }

    /// The intro video of the role with this key, as the server serves it
    /// (`intro_video_url` of `GET /v1/roles/{id}`); `None` when the role has
    /// none on this server.
    pub async fn role_intro_video(&self, key: &str) -> Result<Option<Vec<u8>>, ClientError> {
        let page: RolePage = self.json(self.req(Method::GET, "/v1/roles")).await?;
        let Some(id) = page
            .items
            .into_iter()
            .find(|r| r.key.as_deref() == Some(key))
            .map(|r| r.id)
        else {
            return Ok(None);
        };
        let role: RoleDetail = self
            .json(self.req(Method::GET, &format!("/v1/roles/{}", enc(&id))))
            .await?;
        let Some(url) = role.intro_video_url.filter(|u| u.starts_with('/')) else {
            return Ok(None);
        };
        let resp = self.send(self.req(Method::GET, &url)).await?;
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| ClientError::Malformed(root_cause(&e)))?;
        Ok(Some(bytes.to_vec()))
    }
}
