// Starts `scaffold server` over stdio for the workspace and hands it Python files; every
// feature (diagnostics, quick fixes, fix-all, hover) comes from the server itself.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

async function activate(context) {
  const settings = vscode.workspace.getConfiguration("scaffold");
  const [command, ...args] = settings.get("command", ["scaffold", "server"]);
  client = new LanguageClient(
    "scaffold",
    "scaffold",
    { command, args, options: { cwd: workspaceRoot() } },
    {
      documentSelector: [{ scheme: "file", language: "python" }],
      initializationOptions: settings.get("initializationOptions", {}),
    },
  );
  context.subscriptions.push(client);
  await client.start();
}

// The server checks the workspace folders it is given; its working directory only matters
// for a relative `scaffold.command`, which is then resolved from the first folder.
function workspaceRoot() {
  const folders = vscode.workspace.workspaceFolders;
  return folders && folders.length > 0 ? folders[0].uri.fsPath : undefined;
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
