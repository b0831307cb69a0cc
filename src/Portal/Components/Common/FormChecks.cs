using MudBlazor;

namespace Platform.Portal.Components.Common;

public static class FormChecks
{
    /// <summary>
    /// Runs the checks the form's own fields carry (a name off the rule, text in a number field) and answers whether
    /// none refuses. Errors the service answered earlier do not count: the next save asks it again.
    /// </summary>
    public static async Task<bool> PassesAsync(this MudForm? form)
    {
        if (form is null)
        {
            return true;
        }

        await form.ValidateAsync();
        return form.Errors.Length == 0;
    }
}
