// The REST client. Only this file builds one, so the token's route into the client is one line.

import { getOctokit } from '@actions/github';

export type GitHubClient = ReturnType<typeof getOctokit>;

/** Builds a client for one API root; injected so tests can point it at a loopback server. */
export type GitHubClientFactory = (token: string, baseUrl: string) => GitHubClient;

// @actions/github already defaults baseUrl to GITHUB_API_URL, but reads it once at import time;
// passing the context's apiUrl keeps GitHub Enterprise Server support explicit and testable.
export const createGitHubClient: GitHubClientFactory = (token, baseUrl) =>
  getOctokit(token, { baseUrl });
