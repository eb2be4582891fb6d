-- Argo CD health of a Flywheel ModelVersion (mlops.flywheel.dev/v1alpha1).
-- Validated=False: Degraded. Validation pending: Progressing. Ready=True: Healthy, including a version that a
-- more recent promotion superseded (Ready reason Superseded: effectively Archived, as asked).
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
if status == nil or status.conditions == nil or #status.conditions == 0 then
  return health("Progressing", "Waiting for the Flywheel operator to report status")
end

-- An unexpected error on this generation is written without advancing status.observedGeneration.
local ready = find(status.conditions, "Ready")
if ready ~= nil and ready.status == "False" and ready.reason == "ReconcileError"
    and (ready.observedGeneration == nil or generation == nil or ready.observedGeneration >= generation) then
  return health("Degraded", text(ready, "the Flywheel operator failed to reconcile this ModelVersion"))
end

local observed = status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  local seen = "no generation"
  if observed ~= nil then
    seen = "generation " .. observed
  end
  return health("Progressing", "Waiting for the Flywheel operator to observe generation " .. generation .. " (status describes " .. seen .. ")")
end

local validated = find(status.conditions, "Validated")
if validated ~= nil and validated.status == "False" then
  return health("Degraded", text(validated, "validation failed"))
end
if validated == nil or validated.status ~= "True" then
  -- The operator does not retry an artifact URI it cannot read: that waits for a new ModelVersion, not for time.
  if validated ~= nil and validated.reason == "ArtifactNotReachable" then
    return health("Degraded", text(validated, "the artifact cannot be read"))
  end
  return health("Progressing", text(validated, "Waiting for validation"))
end

if ready ~= nil and ready.status == "True" then
  return health("Healthy", text(ready, "stage " .. (status.stage or "None")))
end
if ready ~= nil and ready.status == "False" then
  return health("Degraded", text(ready, "the requested stage is refused"))
end
return health("Progressing", text(ready, "Waiting for the stage to take effect"))
