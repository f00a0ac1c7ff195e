//! Reading the build context over the bridge, like dockerui's client side: the Dockerfile (from
//! the `dockerfile` local, a frontend input or a remote context, with its own ignore file), and
//! the answers to the pipeline's [`ContextRequest`]s (a `.dockerignore`, the frontend inputs,
//! the Go module files of a filtered transfer walked with ReadDir/ReadFile).
//!
//! Not for: deciding what to read (the LLB sources come from [`crate::dockerui`], the requests
//! from the pipeline).

use std::collections::BTreeMap;

use prost::Message as _;

use crate::dockerui::files::{Take, SOURCE_HEAD_BYTES};
use crate::dockerui::remote::{is_archive, HTTP_CONTEXT_FILENAME, HTTP_CONTEXT_SNIFF_LEN};
use crate::dockerui::sources::{dockerfile_source, lowercase_variant, DOCKERIGNORE_NAME};
use crate::dockerui::{ContextFiles, ReadBudget, RemoteContext};
use crate::frontend::{ContextAnswer, ContextRequest, FilesRequest};
use crate::llb::{pb, SourceFile};
use crate::options::BuildOptions;
use crate::platform::Platform;

use super::{errors, from_tonic, gw, prefix_status, rpc_pb, Bridge, Code, Session};

/// The local name of the main context (`dockerui.DefaultLocalNameContext`).
const CONTEXT_LOCAL: &str = "context";

/// At most this many directory entries are walked (the transfer holds only the selected files
/// and their directories; at most [`crate::dockerui::files::MAX_BYTES`] of files are read).
pub(super) const CONTEXT_FILES_MAX_ENTRIES: usize = 20_000;

/// `os.ModeDir` and `os.ModeSymlink` in fsutil's `Stat.mode`.
pub(super) const MODE_DIR: u32 = 1 << 31;
const MODE_SYMLINK: u32 = 1 << 27;

/// The Dockerfile as read, with what came with it.
pub(super) struct Loaded {
    /// The file, its name and the LLB that loaded it.
    pub source: SourceFile,
    /// `<Dockerfile>.dockerignore`, when present.
    pub dockerignore: Option<Vec<u8>>,
    /// The remote context and whether its HTTP download is an archive.
    pub remote: Option<(RemoteContext, bool)>,
}

impl<B: Bridge> Session<'_, B> {
    /// Reads the Dockerfile the way dockerui's `ReadEntrypoint` does: from the remote context
    /// when there is one (unless the client named the Dockerfile local explicitly), else from
    /// a `dockerfile` frontend input or the `dockerfile` local.
    pub(super) async fn read_dockerfile(
        &mut self,
        options: &BuildOptions,
    ) -> Result<Loaded, rpc_pb::Status> {
        let remote = RemoteContext::try_detect(options)
            .map_err(|e| errors::status(Code::InvalidArgument, e))?;
        let mut filename = options.filename.clone();
        let mut archive = false;
        let definition = match &remote {
            Some(remote) if !options.force_local_dockerfile() => {
                self.remote_dockerfile(remote, &mut filename, &mut archive)
                    .await?
            }
            _ => self.local_dockerfile(options, remote.is_none()).await?,
        };
        let (data, dockerignore) = self.read_dockerfile_from(&definition, &filename).await?;
        Ok(Loaded {
            source: SourceFile {
                filename,
                data,
                language: "Dockerfile".into(),
                definition: Some(definition),
            },
            dockerignore,
            remote: remote.map(|r| (r, archive)),
        })
    }

    /// The source holding the Dockerfile of a remote context (dockerui's `initContext` +
    /// `ReadEntrypoint`): the git source itself; for HTTP, the first bytes of the download
    /// decide between an archive (unpacked, the Dockerfile inside it) and a plain Dockerfile
    /// (then named `context`).
    async fn remote_dockerfile(
        &mut self,
        remote: &RemoteContext,
        filename: &mut String,
        archive: &mut bool,
    ) -> Result<pb::Definition, rpc_pb::Status> {
        let caps = self.daemon.llb_caps.clone();
        let llb_error = |e: crate::llb::LlbError| errors::status(Code::Unknown, e.to_string());
        if remote.is_http() {
            let download = remote.definition(&caps, false).map_err(llb_error)?;
            let reference = self
                .solve_ref(download, Vec::new())
                .await
                .map_err(|s| prefix_status("failed to resolve httpcontext", s))?;
            let header = self
                .bridge
                .read_file(gw::ReadFileRequest {
                    r#ref: reference,
                    file_path: HTTP_CONTEXT_FILENAME.to_string(),
                    range: Some(gw::FileRange {
                        offset: 0,
                        length: HTTP_CONTEXT_SNIFF_LEN,
                    }),
                })
                .await
                .map_err(|s| from_tonic("failed to read downloaded context", &s))?;
            if is_archive(&header) {
                *archive = true;
            } else {
                *filename = HTTP_CONTEXT_FILENAME.to_string();
            }
        }
        remote.definition(&caps, *archive).map_err(llb_error)
    }

    /// The source holding the Dockerfile of a local build: the `dockerfile` frontend input
    /// when the client passed one, else the `dockerfile` local.
    async fn local_dockerfile(
        &mut self,
        options: &BuildOptions,
        use_inputs: bool,
    ) -> Result<pb::Definition, rpc_pb::Status> {
        if use_inputs {
            if let Some(def) = self.dockerfile_input(options).await? {
                return Ok(def);
            }
        }
        dockerfile_source(
            &options.dockerfile_key,
            &options.filename,
            &options.session_for(&options.dockerfile_key, &self.daemon.session_id),
            &Platform::host(),
            &self.daemon.llb_caps,
        )
        .map_err(|e| errors::status(Code::Unknown, e.to_string()))
    }

    /// Solves `definition` and reads the Dockerfile (or its lower-case spelling) and
    /// `<Dockerfile>.dockerignore` from it.
    async fn read_dockerfile_from(
        &mut self,
        definition: &pb::Definition,
        filename: &str,
    ) -> Result<(Vec<u8>, Option<Vec<u8>>), rpc_pb::Status> {
        let reference = self
            .solve_ref(definition.clone(), Vec::new())
            .await
            .map_err(|s| prefix_status("failed to resolve dockerfile", s))?;
        let data = match self.read(&reference, filename).await {
            Ok(data) => data,
            Err(first) => match lowercase_variant(filename) {
                Some(lower) => self.read(&reference, &lower).await.map_err(|_| first)?,
                None => return Err(first),
            },
        };
        if data.is_empty() {
            return Err(errors::status(
                Code::Unknown,
                "the Dockerfile cannot be empty",
            ));
        }
        let ignore_name = format!("{filename}.dockerignore");
        let dockerignore = self.read(&reference, &ignore_name).await.ok();
        Ok((data, dockerignore))
    }

    /// The `dockerfile` frontend input, when the client passed one (and did not name the
    /// Dockerfile local explicitly). A `context` input is refused: it would change what
    /// `.dockerignore` applies to, and convert reads the context from the session.
    async fn dockerfile_input(
        &mut self,
        options: &BuildOptions,
    ) -> Result<Option<pb::Definition>, rpc_pb::Status> {
        if !self.gw_caps.has("frontend.inputs") {
            return Ok(None);
        }
        let inputs = self.inputs().await?;
        if inputs.contains_key(CONTEXT_LOCAL) {
            return Err(errors::status(
                Code::Unimplemented,
                "a build context passed as a frontend input is not supported by gofront yet",
            ));
        }
        if options.force_local_dockerfile() {
            return Ok(None);
        }
        Ok(inputs.get(&options.dockerfile_key).cloned())
    }

    /// Answers one of the pipeline's build-context requests. Failing to transfer a
    /// `.dockerignore` or to get the inputs fails the build; failing to read the Go module
    /// files only skips the rewrites that need them.
    pub(super) async fn answer(
        &mut self,
        request: &ContextRequest,
    ) -> Result<ContextAnswer, rpc_pb::Status> {
        Ok(match request {
            ContextRequest::Dockerignore { definition } => {
                ContextAnswer::Dockerignore(self.read_dockerignore(definition).await?)
            }
            ContextRequest::NamedDockerignore { key, definition } => {
                ContextAnswer::NamedDockerignore {
                    key: key.clone(),
                    data: self.read_dockerignore(definition).await?,
                }
            }
            ContextRequest::Inputs => {
                let inputs = self.inputs().await?;
                ContextAnswer::Inputs(
                    inputs
                        .into_iter()
                        .map(|(name, def)| (name, def.encode_to_vec()))
                        .collect(),
                )
            }
            ContextRequest::Files(files) => ContextAnswer::Files(self.read_files(files).await),
        })
    }

    /// The frontend inputs the client passed (`Inputs`).
    async fn inputs(&mut self) -> Result<BTreeMap<String, pb::Definition>, rpc_pb::Status> {
        Ok(self
            .bridge
            .inputs()
            .await
            .map_err(|s| from_tonic("failed to get frontend inputs", &s))?
            .definitions)
    }

    /// Solves a source that transfers only a `.dockerignore` and reads it ("" when absent).
    async fn read_dockerignore(
        &mut self,
        definition: &pb::Definition,
    ) -> Result<Vec<u8>, rpc_pb::Status> {
        let reference = self.solve_ref(definition.clone(), Vec::new()).await?;
        Ok(self
            .read(&reference, DOCKERIGNORE_NAME)
            .await
            .unwrap_or_default())
    }

    /// Reads the selected files of the main context: one transfer with include patterns
    /// (`.dockerignore` excludes applied), then ReadDir/ReadFile on the result. `Err` = not
    /// read, with the reason the summary shows.
    async fn read_files(&mut self, request: &FilesRequest) -> Result<ContextFiles, String> {
        let reference = self
            .solve_ref(request.definition.clone(), Vec::new())
            .await
            .map_err(|s| format!("cannot read the build context: {}", s.message))?;
        if reference.is_empty() {
            return Ok(ContextFiles::new());
        }
        let mut budget = ReadBudget::new(CONTEXT_FILES_MAX_ENTRIES);
        // The walk decides what to read (the budgets count in walk order); the reads then go
        // out together, several at a time.
        let mut wanted: Vec<(String, Option<gw::FileRange>)> = Vec::new();
        let mut dirs = vec![String::new()];
        while let Some(dir) = dirs.pop() {
            let entries = self
                .bridge
                .read_dir(gw::ReadDirRequest {
                    r#ref: reference.clone(),
                    dir_path: if dir.is_empty() {
                        "/".into()
                    } else {
                        dir.clone()
                    },
                    include_pattern: String::new(),
                })
                .await
                .map_err(|s| format!("cannot list the build context: {}", s.message()))?;
            for entry in entries {
                let path = if dir.is_empty() {
                    entry.path.clone()
                } else {
                    format!("{dir}/{}", entry.path)
                };
                budget.take_entry()?;
                if entry.mode & MODE_DIR != 0 {
                    dirs.push(path);
                } else if entry.mode & MODE_SYMLINK == 0 {
                    let range = match (request.select)(&path) {
                        Take::Skip => continue,
                        Take::Whole => {
                            budget.take_bytes(u64::try_from(entry.size).unwrap_or(u64::MAX))?;
                            None
                        }
                        Take::Head if budget.take_head() => Some(gw::FileRange {
                            offset: 0,
                            length: i64::try_from(SOURCE_HEAD_BYTES).unwrap_or(i64::MAX),
                        }),
                        Take::Head => continue,
                    };
                    wanted.push((path, range));
                }
            }
        }
        let requests = wanted
            .iter()
            .map(|(path, range)| gw::ReadFileRequest {
                r#ref: reference.clone(),
                file_path: path.clone(),
                range: *range,
            })
            .collect();
        let results = self.bridge.read_files(requests).await;
        let mut files = ContextFiles::new();
        for ((path, _), data) in wanted.into_iter().zip(results) {
            let data = data.map_err(|s| {
                format!("cannot read {path} from the build context: {}", s.message())
            })?;
            files.insert(path, data);
        }
        Ok(files)
    }

    pub(super) async fn read(
        &mut self,
        reference: &str,
        path: &str,
    ) -> Result<Vec<u8>, rpc_pb::Status> {
        self.read_range(reference, path, None).await
    }

    async fn read_range(
        &mut self,
        reference: &str,
        path: &str,
        range: Option<gw::FileRange>,
    ) -> Result<Vec<u8>, rpc_pb::Status> {
        self.bridge
            .read_file(gw::ReadFileRequest {
                r#ref: reference.to_string(),
                file_path: path.to_string(),
                range,
            })
            .await
            .map_err(|s| from_tonic("failed to read dockerfile", &s))
    }
}
