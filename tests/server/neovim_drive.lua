-- Drives a headless Neovim the way a user would: waits for scaffold's diagnostics, runs
-- the fix-all source action and the noqa quick fix through vim.lsp.buf.code_action (the
-- calls docs/editors.md gives), and writes what it saw to $SCAFFOLD_NVIM_OUT.
local out = {}
local function emit(line) table.insert(out, line) end
local patience = 30000

local function dump_diagnostics()
  local rows = {}
  for _, d in ipairs(vim.diagnostic.get()) do
    local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(d.bufnr), ":.")
    table.insert(rows, string.format("diag %s:%d:%d %s", name, d.lnum + 1, d.col + 1, tostring(d.code)))
  end
  table.sort(rows)
  for _, row in ipairs(rows) do emit(row) end
end

-- Picks the first offered choice whose title contains `wanted`, as a user would.
local function choose(wanted)
  vim.ui.select = function(items, opts, on_choice)
    for _, item in ipairs(items) do
      local title = opts.format_item and opts.format_item(item) or item.title or item[2].title
      emit("offered " .. title)
      if title:find(wanted, 1, true) then return on_choice(item) end
    end
    on_choice(nil)
  end
end

local function line5() return vim.api.nvim_buf_get_lines(0, 4, 5, false)[1] end

local function run()
  local want = tonumber(os.getenv("SCAFFOLD_NVIM_EXPECT"))
  emit("diagnostics arrived " .. tostring(vim.wait(patience, function()
    return #vim.diagnostic.get() >= want
  end, 20)))
  dump_diagnostics()
  vim.api.nvim_win_set_cursor(0, { 5, 0 })
  local before = line5()
  choose("")
  if vim.fn.has("nvim-0.8") == 1 then
    vim.lsp.buf.code_action({ context = { only = { "source.fixAll" } }, apply = true })
  else
    vim.lsp.buf.code_action({ only = { "source.fixAll" } })
  end
  vim.wait(patience, function() return line5() ~= before end, 20)
  emit("after fix all: " .. line5())
  -- The noqa fix is offered for the diagnostics of the line, so wait until the server has
  -- republished them for the fixed text (EXP003 gone), as a user would see it.
  emit("republished " .. tostring(vim.wait(patience, function()
    return #vim.diagnostic.get(0) == 1
  end, 20)))
  before = line5()
  choose("noqa: EXP001")
  vim.lsp.buf.code_action()
  vim.wait(patience, function() return line5() ~= before end, 20)
  emit("after noqa: " .. line5())
  emit("buffer clean " .. tostring(vim.wait(patience, function()
    return #vim.diagnostic.get(0) == 0
  end, 20)))
end

local ok, err = pcall(run)
if not ok then emit("error " .. tostring(err)) end
vim.fn.writefile(out, os.getenv("SCAFFOLD_NVIM_OUT"))
vim.cmd("qa!")
