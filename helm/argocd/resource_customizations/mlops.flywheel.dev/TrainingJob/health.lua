-- Argo CD health of a Flywheel TrainingJob (mlops.flywheel.dev/v1alpha1).
-- Succeeded: Healthy. Failed: Degraded. Pending and Running: Progressing (waiting for a Site says so).
-- Uses only Lua's base library, so it runs from argocd-cm without resource.customizations.useOpenLibs.

local function find(conditions, kind)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if condition.type == kind then
      return condition
    end
  end
  return nil
end

local function text(condition, fallback)
  if condition ~= nil and condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  return fallback
end

local function health(status, message)
  return { status = status, message = message }
end

local status = obj.status
local generation = obj.metadata.generation
if status == nil or (status.phase == nil and (status.conditions == nil or #status.conditions == 0)) then
  return health("Progressing", "Waiting for the Flywheel operator to report status")
end

-- An unexpected error on this generation is written without advancing status.observedGeneration.
local ready = find(status.conditions, "Ready")
if ready ~= nil and ready.status == "False" and ready.reason == "ReconcileError"
    and (ready.observedGeneration == nil or generation == nil or ready.observedGeneration >= generation) then
  return health("Degraded", text(ready, "the Flywheel operator failed to reconcile this TrainingJob"))
end

local observed = status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  local seen = "no generation"
  if observed ~= nil then
    seen = "generation " .. observed
  end
  return health("Progressing", "Waiting for the Flywheel operator to observe generation " .. generation .. " (status describes " .. seen .. ")")
end

if status.phase == "Succeeded" then
  return health("Healthy", text(find(status.conditions, "Succeeded"), text(ready, status.message or "training succeeded")))
end
if status.phase == "Failed" then
  return health("Degraded", text(find(status.conditions, "Failed"), text(ready, status.message or "training failed")))
end

local scheduled = find(status.conditions, "Scheduled")
if scheduled ~= nil and scheduled.status == "False" then
  local why = scheduled.reason or "NotScheduled"
  return health("Progressing", "Waiting for a Site (" .. why .. "): " .. text(scheduled, "no Site takes this job yet"))
end

local phase = status.phase or "Pending"
return health("Progressing", text(ready, status.message or ("TrainingJob is " .. phase)))
